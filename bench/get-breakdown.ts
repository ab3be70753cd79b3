/**
 * Where GetExecute's time over its floor goes, on the local stack: the floor's GetItem, the
 * store's own GetItem, the use case, the handler called in-process, the same GET over HTTP, and
 * one presign, in rotating order over finished executes (medians, ms).
 *
 *   npx tsx bench/get-breakdown.ts [rounds]
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { getExecuteDeps } from '../lambda/platform/composition-root';
import { getExecute } from '../lambda/use-cases/get-execute';
import { HTTP_HANDLERS } from '../local/handler-table';
import { apiKeyId } from '../local/local-stack';
import { BENCH_KEY, startBenchStack, timeRotating } from './local-bench';
import { quantile } from './stats';

const rounds = Number(process.argv[2] ?? 20);

const bench = await startBenchStack();
try {
  const { api, bucket, readRecord } = bench;
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await bench.create(i));
  for (const id of ids) await bench.untilFinal(id);

  const owner = apiKeyId(BENCH_KEY);
  const deps = getExecuteDeps();
  const event = (id: string) =>
    ({
      resource: '/executes/{prompt_id}',
      path: `/executes/${id}`,
      httpMethod: 'GET',
      headers: {},
      pathParameters: { prompt_id: id },
      requestContext: { requestId: 'breakdown', identity: { apiKeyId: owner } },
    }) as unknown as APIGatewayProxyEvent;
  const steps: Record<string, (id: string) => Promise<unknown>> = {
    'floor (GetItem, plain client)': readRecord,
    'store.get (the handler client)': (id) => deps.store.get(id),
    'use case': (id) => getExecute(id, owner, deps),
    'handler, in-process': (id) => HTTP_HANDLERS['get-execute'](event(id)),
    'GET over HTTP': (id) => api.request('GET', `executes/${id}`),
    'GET /ping over HTTP': () => api.request('GET', 'ping'),
    'presign one URL': (id) =>
      deps.payloads.presignGet(`s3://${bucket}/executes/${id}/outputs/9/a.png`, 3600),
  };
  const samples = Object.fromEntries(Object.keys(steps).map((name) => [name, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    for (const [i, id] of ids.entries()) {
      await timeRotating(
        Object.entries(steps).map(([name, work]) => ({ work: () => work(id), into: samples[name]! })),
        i + round,
      );
    }
  }
  for (const [name, series] of Object.entries(samples))
    console.log(`${name.padEnd(32)} ${quantile(series, 0.5).toFixed(2)} ms`);
  // As `npm run bench` reports it (bench/run.ts): the GET's p50 minus its floor and the HTTP hop.
  const p50 = (name: string) => quantile(samples[name]!, 0.5);
  const share = p50('GET over HTTP') - p50('floor (GetItem, plain client)') - p50('GET /ping over HTTP');
  console.log(`${'our share (GET − floor − ping)'.padEnd(32)} ${share.toFixed(2)} ms (target ≤ 0.5)`);
} finally {
  await bench.stop();
}
process.exit(0);
