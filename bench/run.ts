/** `npm run bench`: speed targets, measured (never asserted in tests). */
import { benchConversion } from './conversion';

const results = benchConversion();
for (const result of results) {
  const verdict =
    result.targetMs === undefined
      ? ''
      : result.medianMs <= result.targetMs
        ? `  (target ≤ ${result.targetMs} ms: met)`
        : `  (target ≤ ${result.targetMs} ms: MISSED)`;
  console.log(`${result.name}: median ${result.medianMs.toFixed(3)} ms${verdict}`);
}
