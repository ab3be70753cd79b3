/**
 * `npm run bench`: the project's speed and size figures (measured, never asserted in tests).
 * Prints a table and writes bench/results.json. `npm run bench -- --quick` takes fewer samples.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchBundles } from './bundles';
import { benchConversion } from './conversion';
import { benchUseCases } from './use-cases';

const quick = process.argv.includes('--quick');
const started = new Date().toISOString();
const conversion = benchConversion();
const useCases = await benchUseCases(quick ? 300 : 2000);
const bundles = benchBundles(quick ? 5 : 20);

console.log('\nConversion + validation (median)');
for (const r of conversion)
  console.log(
    `  ${r.name}: ${r.medianMs.toFixed(3)} ms${r.targetMs ? `  (target ≤ ${r.targetMs} ms: ${r.medianMs <= r.targetMs ? 'met' : 'MISSED'})` : ''}`,
  );
console.log('\nUse cases with in-memory ports (µs)');
for (const r of useCases) console.log(`  ${r.name}: median ${r.medianUs} µs, p99 ${r.p99Us} µs`);
console.log(
  `\nLambda bundles (floor: an empty handler, ${bundles.floor.bundleKB} KB, cold import ${bundles.floor.coldImportMs} ms)`,
);
console.log('  handler              bundle KB   cold import ms   over floor ms');
for (const r of bundles.handlers) {
  console.log(
    `  ${r.handler.padEnd(20)} ${String(r.bundleKB).padStart(9)}   ${String(r.coldImportMs).padStart(14)}   ${String(r.overFloorMs).padStart(13)}`,
  );
}
const results = { measuredAt: started, node: process.version, quick, conversion, useCases, bundles };
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
