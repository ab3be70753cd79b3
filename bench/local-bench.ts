import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStackOptions, startLocalStack } from '../local/local-stack';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { ApiClient } from './api-client';

export const BENCH_KEY = 'benchKey123456789012';
const FINAL = new Set(['success', 'failed', 'cancelled']);

/** Plain SDK credentials the emulators accept: clients that are not the handlers' own. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3 client for the local S3 (path-style, the emulator's pair, checksums only where S3 needs them). */
export const localS3Client = (endpoint: string) =>
  new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: EMULATOR_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/**
 * The local stack as the benchmarks use it: simulator at its fastest, no Sweeper, one API key,
 * the API called through node:http with keep-alive (the transport the SDK clients use for the
 * floor's calls, so both sides pay for the same kind of hop), and a plain DynamoDB client for
 * the floor's reads and for waiting without touching the handlers' clients.
 */
export async function startBenchStack(
  log?: LocalStackOptions['log'],
  options: Partial<LocalStackOptions> = {},
) {
  const stack = await startLocalStack({
    port: 0,
    apiKeys: [BENCH_KEY],
    simStepMs: 0,
    sweepIntervalMs: 3_600_000, // the Sweeper would add calls no execute caused
    log: log ?? (() => {}),
    ...options,
  });
  const api = new ApiClient(stack.apiUrl, BENCH_KEY);
  const region = process.env.AWS_REGION!;
  const table = process.env.TABLE_NAME!;
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region, credentials: EMULATOR_CREDENTIALS }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

  /** The floor of a GetExecute: one consistent GetItem of the record. */
  const readRecord = async (id: string) =>
    (await documents.send(new GetCommand({ TableName: table, Key: { prompt_id: id }, ConsistentRead: true })))
      .Item;

  const create = async (seed: number) => {
    const { status, body } = await api.request('POST', 'executes', { prompt: tinyTxt2imgPrompt(seed) });
    if (status !== 201) throw new Error(`create: ${status} ${JSON.stringify(body)}`);
    return (body as { data: { prompt_id: string } }).data.prompt_id;
  };

  const get = async (id: string) => {
    const { status, body } = await api.request('GET', `executes/${id}`);
    if (status !== 200) throw new Error(`get ${id}: ${status}`);
    return (body as { data: { status: string } }).data.status;
  };

  const untilFinal = async (id: string) => {
    for (let i = 0; i < 3000; i++) {
      if (FINAL.has((await readRecord(id))?.status)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`execute ${id} did not finish`);
  };

  return {
    stack,
    api,
    region,
    table,
    bucket: process.env.BUCKET_NAME!,
    documents,
    readRecord,
    create,
    get,
    untilFinal,
    stop: async () => {
      api.close();
      await stack.stop();
    },
  };
}

/**
 * Runs every step once, starting from a different one each round (`round` rotates the order),
 * adding each step's wall time to its own series: no step always runs first or after the same one.
 */
export async function timeRotating(
  steps: readonly { work: () => Promise<unknown>; into: number[] }[],
  round: number,
): Promise<void> {
  for (let k = 0; k < steps.length; k++) {
    const { work, into } = steps[(round + k) % steps.length]!;
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
  }
}
