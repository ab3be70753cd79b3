/**
 * `npm run bench`: the project's speed and size figures (measured, never asserted in tests).
 * Prints a table and writes bench/results.json. `npm run bench -- --quick` takes fewer samples.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchBundles } from './bundles';
import { benchClient } from './client';
import { benchConversion } from './conversion';
import { benchCriticalPathFloor } from './critical-path-floor';
import { benchEnvInstall } from './env-install';
import { benchLifecycle } from './lifecycle';
import { benchModelDownload } from './model-download';
import { benchModelImport } from './model-import';
import { benchOverhead } from './overhead';
import { benchRefusals } from './refusals';
import { benchTemplateRun } from './template-run';
import { benchUseCases } from './use-cases';
import { benchWebhooks } from './webhooks';
import { benchWebSocket } from './websocket';

const quick = process.argv.includes('--quick');
const started = new Date().toISOString();
const conversion = benchConversion();
const refusals = await benchRefusals(quick ? 50 : 200);
const useCases = await benchUseCases(quick ? 300 : 2000);
const bundles = benchBundles(quick ? 5 : 20);
const lifecycle = await benchLifecycle(quick ? 30 : 200);
const templateRun = await benchTemplateRun(quick ? 20 : 100);
const modelDownload = await benchModelDownload((quick ? 256 : 1024) * 1024 ** 2, quick ? 1 : 3);
const modelImport = await benchModelImport((quick ? 256 : 512) * 1024 ** 2, quick ? 1 : 3);
const overhead = await benchOverhead(quick ? 20 : 100);
// Four images an execute (issue 30's second row), and eight: uploads side by side.
const overheadFourImages = await benchOverhead(quick ? 10 : 40, 4);
const overheadEightImages = await benchOverhead(quick ? 10 : 40, 8);
const floor = await benchCriticalPathFloor(quick ? 20 : 60);
const client = benchClient(quick ? 5 : 20);
const envInstall = await benchEnvInstall(quick ? 3 : 10);
const webSocket = await benchWebSocket(quick ? 20 : 100);
const webhooks = await benchWebhooks(quick ? 20 : 100);

console.log('\nConversion + validation (median)');
for (const r of conversion)
  console.log(
    `  ${r.name}: ${r.medianMs.toFixed(3)} ms${r.targetMs ? `  (target ≤ ${r.targetMs} ms: ${r.medianMs <= r.targetMs ? 'met' : 'MISSED'})` : ''}`,
  );
console.log("\nIssue 25's bombs refused before any work, against real requests of the same kind (median)");
for (const r of refusals) console.log(`  ${r.name}: ${r.medianMs} ms`);
console.log('\nUse cases with in-memory ports (µs)');
for (const r of useCases) console.log(`  ${r.name}: median ${r.medianUs} µs, p99 ${r.p99Us} µs`);
console.log(
  `\nLambda bundles, as deployed (floor: an empty handler, cold import ${bundles.floor.coldImportMs} ms); targets < 400 KB, < 60 ms over floor`,
);
console.log('  handler                loaded KB   package KB   cold import ms   over floor ms');
for (const r of [...bundles.sdkReferences, ...bundles.handlers]) {
  console.log(
    `  ${r.handler.padEnd(22)} ${String(r.coldStartKB).padStart(9)}   ${String(r.packageKB).padStart(10)}   ${String(r.coldImportMs).padStart(14)}   ${String(r.overFloorMs).padStart(13)}`,
  );
}
console.log(
  `\nOur share of each cold start: over the same SDK clients bundled alone (targets ≤ ${bundles.targets.overReferenceKB} KB, ≤ ${bundles.targets.overReferenceMs} ms)`,
);
for (const r of bundles.ourShare) {
  const met =
    r.overReferenceKB <= bundles.targets.overReferenceKB &&
    r.overReferenceMs <= bundles.targets.overReferenceMs;
  console.log(
    `  ${r.handler.padEnd(22)} +${String(r.overReferenceKB).padStart(4)} KB  +${String(r.overReferenceMs).padStart(5)} ms  over ${r.reference}${met ? '' : '  MISSED'}`,
  );
}
const calls = lifecycle.awsCalls;
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ');
console.log(
  `\nAWS calls per execute (control plane): ${calls.perExecute} (target ≤ ${calls.targetPerExecute}: ${calls.perExecute <= calls.targetPerExecute ? 'met' : 'MISSED'}), plus ${calls.perGet} per GetExecute`,
);
console.log(`  CreateExecute: ${list(calls.createExecute)}`);
console.log(`  completion (OnAsyncResult): ${list(calls.completion)}`);
console.log(`  GetExecute: ${list(calls.getExecute)}`);
console.log(`  endpoint container: ${list(calls.container)}`);
console.log(
  `  websocket relay (the executes table's stream, off the execute path; no connection open): ${list(calls.webSocketRelay)}`,
);
for (const [kind, counts] of Object.entries(calls.withInputs)) {
  console.log(
    `  with one ${kind} input: ${counts.perExecute} per execute (CreateExecute: ${list(counts.createExecute)}; completion: ${list(counts.completion)}); container: ${list(counts.container)}`,
  );
}
const { latency } = lifecycle;
console.log(
  `\nEnd to end on the local stack (${latency.samples} samples each, ms), against the direct calls (floor)`,
);
for (const [name, e2e, floor, ratio] of [
  ['CreateExecute', latency.createMs, latency.createFloorMs, latency.createRatioP50],
  ['GetExecute', latency.getMs, latency.getFloorMs, latency.getRatioP50],
] as const) {
  console.log(
    `  ${name}: p50 ${e2e.p50}, p99 ${e2e.p99}; floor p50 ${floor.p50}, p99 ${floor.p99}; ratio ${ratio} (target ≤ ${latency.targetRatio}: ${ratio <= latency.targetRatio ? 'met' : 'MISSED'})`,
  );
}
console.log(
  `  GET /ping (the HTTP hop, gateway and envelope, no AWS call): p50 ${latency.hopMs.p50}, p99 ${latency.hopMs.p99}`,
);
const getShare = Number((latency.getMs.p50 - latency.getFloorMs.p50 - latency.hopMs.p50).toFixed(2));
console.log(
  `  GetExecute, our share (p50 minus its GetItem minus the hop): ${getShare} ms (target ≤ 0.5: ${getShare <= 0.5 ? 'met' : 'MISSED'})`,
);
console.log(
  `  sustained: ${lifecycle.sustained.createsPerSecond} creates/s (${lifecycle.sustained.executes} creates, ${lifecycle.sustained.concurrency} clients)`,
);
console.log(
  `\nA ${modelDownload.bytes / 1024 ** 2} MiB model made available on the endpoint from the local S3 (median of ${modelDownload.rounds})`,
);
console.log(
  `  model cache (ranged parallel GetObjects, SHA-256, rename): ${modelDownload.cacheMs} ms (${modelDownload.cacheMBps} MiB/s); floor, one GetObject streamed to a file: ${modelDownload.floorMs} ms (${modelDownload.floorMBps} MiB/s); ratio ${modelDownload.ratio}`,
);
console.log(
  `  an environment's model preloaded at start-up: from the library ${modelDownload.preloadMs} ms (ratio ${modelDownload.preloadRatio} to one GetObject); from a URL ${modelDownload.urlPreloadMs} ms against one fetch streamed to a file ${modelDownload.urlFloorMs} ms (ratio ${modelDownload.urlRatio})`,
);
console.log(
  `  imported from a URL into the library (POST /models with source; ${modelImport.parts} parts, four at a time, SHA-256, copy into models/): ${modelImport.importMs} ms against downloading it and putting it by hand ${modelImport.floorMs} ms (ratio ${modelImport.ratio}; ${modelImport.bytes / 1024 ** 2} MiB)`,
);
const p = (figure: { p50: number; p99: number }) => `p50 ${figure.p50}, p99 ${figure.p99} ms`;
for (const run of [overhead, overheadFourImages, overheadEightImages]) {
  console.log(
    `\nExecute overhead, ${run.images} image(s), ${run.executes} executes, simulator at 0 ms/step (ComfyUI's own run ${run.comfyuiMs.p50} ms excluded)`,
  );
  console.log(`  client: create sent → GetExecute (every 20 ms) shows success: ${p(run.clientOverheadMs)}`);
  console.log(`  create answered → record success (read every ms): ${p(run.overheadMs)}`);
  console.log(
    `  CreateExecute round trip: ${p(run.createMs)}; create answered → container invoked: ${p(run.queueHandoffMs)}`,
  );
  console.log(
    `  container's own share (total_ms − ComfyUI): ${p(run.containerShareMs)}; unaccounted: ${p(run.unaccountedMs)}`,
  );
  for (const s of run.containerStages)
    console.log(`    ${s.stage.padEnd(10)} p50 ${String(s.p50).padStart(6)}  p99 ${s.p99}`);
  console.log(`  container answered → record final: ${p(run.answerToVisibleMs)}`);
}
console.log(
  `\nThe floor under those figures (${floor.samples} rounds, the unavoidable AWS calls alone, plain SDK clients, idle stack): create's three ${p(floor.createMs)}; claim ${p(floor.claimMs)}; output put ${p(floor.outputPutMs)}; completion ${p(floor.completionMs)}; read ${p(floor.readMs)}`,
);
console.log(
  `  sums of p50s: container share ≥ ${floor.containerShareFloorMs} ms (target ≤ 20), answer → visible ≥ ${floor.answerToVisibleFloorMs} ms (≤ 10), client create → success seen ≥ ${floor.clientFloorMs} ms (≤ 60)`,
);
console.log(
  `\nComfyUI's websocket on the local stack (${webSocket.prompts} prompts): record written → message received, claim p50 ${webSocket.claimToMessageMs.p50} / p99 ${webSocket.claimToMessageMs.p99} ms, completion p50 ${webSocket.completionToMessageMs.p50} / p99 ${webSocket.completionToMessageMs.p99} ms; execution_success after a 20 ms GetExecute poll saw success: p50 ${webSocket.messageAfterPollMs.p50} / p99 ${webSocket.messageAfterPollMs.p99} ms (negative: the socket first)`,
);
console.log(
  `ComfyUI's /view of one output (${webSocket.browserToken.views} each): with the key p50 ${webSocket.browserToken.keyViewMs.p50} / p99 ${webSocket.browserToken.keyViewMs.p99} ms, with a browser token p50 ${webSocket.browserToken.tokenViewMs.p50} / p99 ${webSocket.browserToken.tokenViewMs.p99} ms`,
);
console.log(
  `\nWebhooks on the local stack (${webhooks.executes} executes): record final → signed delivery received p50 ${webhooks.finalToDeliveryMs.p50} / p99 ${webhooks.finalToDeliveryMs.p99} ms; GetExecute calls a client makes: ${webhooks.getExecuteCalls.withWebhook} with a webhook, ${webhooks.getExecuteCalls.pollingEverySecondFor30s} polling once a second for a 30 s execute`,
);
console.log('\nClient library and command line');
console.log(
  `  in a browser (minified): ${client.browserCoreKB} KB loaded (${client.browserCoreGzipKB} KB gzipped), ${client.browserAllKB} KB with the chunks it loads on need; comfy-exec --help: ${client.cliStartMs} ms (node alone ${client.nodeFloorMs} ms, +${client.cliOverFloorMs} ms)`,
);
console.log(
  `\ncomfy-exec env install, one git pack whose requirement is met (no pip, no network; median of ${envInstall.rounds}): fresh ${envInstall.freshMs} ms, again with the pack kept ${envInstall.keptMs} ms; starting python3 once: ${envInstall.pythonStartMs} ms`,
);
const results = {
  measuredAt: started,
  node: process.version,
  quick,
  conversion,
  refusals,
  useCases,
  bundles,
  lifecycle,
  modelDownload,
  modelImport,
  overhead,
  overheadFourImages,
  overheadEightImages,
  floor,
  client,
  envInstall,
  webSocket,
  webhooks,
  templateRun,
};
console.log('\nA run by name (POST /schemas/{name}/executes) against CreateExecute of the same prompt');
console.log(
  `  AWS calls: CreateExecute ${JSON.stringify(templateRun.createExecuteCalls)}; run by name ${JSON.stringify(templateRun.runByNameCalls)}`,
);
console.log(
  `  extra: ${templateRun.extraTotal} (${JSON.stringify(templateRun.extraCalls)}; target at most one read: ${templateRun.extraTotal <= 1 ? 'met' : 'MISSED'})`,
);
console.log(
  `  latency p50/p99: CreateExecute ${templateRun.createMs.p50}/${templateRun.createMs.p99} ms, run by name ${templateRun.runByNameMs.p50}/${templateRun.runByNameMs.p99} ms`,
);
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
process.exit(0);
