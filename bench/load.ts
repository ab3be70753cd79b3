/**
 * `npx tsx bench/load.ts [executes=5000] [concurrency=64]`: executes through `npm start`'s
 * composition (simulator at its fastest), over HTTP: every one must reach success, none lost or
 * invoked twice (more than one InvokeEndpointAsync accepted for it, from the SageMaker emulator's
 * call log); prints CreateExecute and GetExecute latency percentiles and throughput.
 */
import { startLocalStack } from '../local/local-stack';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { quantile } from './stats';

const total = Number(process.argv[2] ?? 5000);
const concurrency = Number(process.argv[3] ?? 64);
const KEY = 'loadKey1234567890123';

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const stack = await startLocalStack({ port: 0, apiKeys: [KEY], simStepMs: 0, sweepIntervalMs: 10_000 });
const headers = { 'x-api-key': KEY, 'Content-Type': 'application/json' };
const createMs: number[] = [];
const getMs: number[] = [];
const ids: string[] = [];
const started = Date.now();
try {
  await pool(
    Array.from({ length: total }, (_, i) => i),
    concurrency,
    async (i) => {
      const prompt = tinyTxt2imgPrompt(i);
      const t = performance.now();
      const response = await fetch(`${stack.apiUrl}executes`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ prompt }),
      });
      createMs.push(performance.now() - t);
      const body = (await response.json()) as { data: { prompt_id: string } };
      if (response.status !== 201) throw new Error(`create ${i}: ${response.status} ${JSON.stringify(body)}`);
      ids.push(body.data.prompt_id);
    },
  );
  const createdAt = Date.now();
  // The endpoint works its queue in order, so only the oldest unfinished executes can have
  // finished: each round GETs the 16 oldest, and waits a moment when the oldest is still
  // running. Polling everything every round would be quadratic and starve the stack it measures.
  const final = new Map<string, string>();
  let waiting = [...ids];
  while (waiting.length > 0) {
    const window = waiting.slice(0, 16);
    await pool(window, window.length, async (id) => {
      const t = performance.now();
      const response = await fetch(`${stack.apiUrl}executes/${id}`, { headers });
      getMs.push(performance.now() - t);
      const status = ((await response.json()) as { data: { status: string } }).data.status;
      if (['success', 'failed', 'cancelled'].includes(status)) final.set(id, status);
    });
    const headDone = final.has(waiting[0]!);
    waiting = waiting.filter((id) => !final.has(id));
    if (!headDone) await new Promise((r) => setTimeout(r, 250));
  }
  const done = Date.now();
  const statuses: Record<string, number> = {};
  for (const status of final.values()) statuses[status] = (statuses[status] ?? 0) + 1;
  const accepted = stack.aws.invokeCalls.filter((c) => c.answer === 'accepted');
  const perId = new Map<string, number>();
  for (const call of accepted) perId.set(call.inferenceId!, (perId.get(call.inferenceId!) ?? 0) + 1);
  const report = {
    executes: total,
    concurrency,
    statuses,
    lost: total - final.size,
    invokedTwice: [...perId.values()].filter((n) => n > 1).length,
    createsPerSecond: Number((total / ((createdAt - started) / 1000)).toFixed(1)),
    allDoneSeconds: Number(((done - started) / 1000).toFixed(1)),
    createMs: {
      p50: Number(quantile(createMs, 0.5).toFixed(1)),
      p99: Number(quantile(createMs, 0.99).toFixed(1)),
    },
    getMs: {
      p50: Number(quantile(getMs, 0.5).toFixed(1)),
      p99: Number(quantile(getMs, 0.99).toFixed(1)),
      samples: getMs.length,
    },
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await stack.stop();
}
process.exit(0);
