/**
 * Where GetExecute's time over its floor goes, on the local stack: the floor's GetItem, the
 * store's own GetItem, the use case, the handler called in-process, the same GET over HTTP, and
 * one presign, in rotating order over finished executes (medians, ms).
 *
 *   npx tsx bench/get-breakdown.ts [rounds]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { getExecuteDeps } from '../lambda/platform/composition-root';
import { getExecute } from '../lambda/use-cases/get-execute';
import { HTTP_HANDLERS } from '../local/handler-table';
import { apiKeyId, startLocalStack } from '../local/local-stack';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { ApiClient } from './api-client';
import { quantile } from './stats';

const KEY = 'benchKey123456789012';
const FINAL = new Set(['success', 'failed', 'cancelled']);
const rounds = Number(process.argv[2] ?? 20);

const stack = await startLocalStack({
  port: 0,
  apiKeys: [KEY],
  simStepMs: 0,
  sweepIntervalMs: 3_600_000,
  log: () => {},
});
const api = new ApiClient(stack.apiUrl, KEY);
try {
  const table = process.env.TABLE_NAME!;
  const bucket = process.env.BUCKET_NAME!;
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: process.env.AWS_REGION!,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
  );
  const read = (id: string) =>
    ddb.send(new GetCommand({ TableName: table, Key: { prompt_id: id }, ConsistentRead: true }));
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { body } = await api.request('POST', 'executes', { prompt: tinyTxt2imgPrompt(i) });
    ids.push((body as { data: { prompt_id: string } }).data.prompt_id);
  }
  for (const id of ids)
    while (!FINAL.has((await read(id)).Item?.status)) await new Promise((r) => setTimeout(r, 20));

  const owner = apiKeyId(KEY);
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
    'floor (GetItem, plain client)': read,
    'store.get (the handler client)': (id) => deps.store.get(id),
    'use case': (id) => getExecute(id, owner, deps),
    'handler, in-process': (id) => HTTP_HANDLERS['get-execute'](event(id)),
    'GET over HTTP': (id) => api.request('GET', `executes/${id}`),
    'GET /ping over HTTP': () => api.request('GET', 'ping'),
    'presign one URL': (id) =>
      deps.payloads.presignGet(`s3://${bucket}/executes/${id}/outputs/9/a.png`, 3600),
  };
  const names = Object.keys(steps);
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    for (const [i, id] of ids.entries()) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + round + k) % names.length]!;
        const started = performance.now();
        await steps[name]!(id);
        samples[name]!.push(performance.now() - started);
      }
    }
  }
  for (const name of names) console.log(`${name.padEnd(32)} ${quantile(samples[name]!, 0.5).toFixed(2)} ms`);
} finally {
  api.close();
  await stack.stop();
}
process.exit(0);
