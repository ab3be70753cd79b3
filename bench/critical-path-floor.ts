/**
 * The floor under issue 30's latency targets: the AWS calls an execute cannot do without, made
 * one after another by plain SDK clients on an idle local stack, with no handler, container or
 * ComfyUI code around them. Whatever our code does, an execute's figures cannot go below these
 * sums on the same machine's emulators (DynamoDB Local, s3rver behind their signature-checking
 * fronts). InvokeEndpointAsync and ComfyUI's own hand-off are left out, so each floor is low.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { EMULATOR_CREDENTIALS, startBenchStack } from './local-bench';
import { percentiles, quantile } from './stats';

/** What a client polling every 20 ms waits, on average, between a change and its next read. */
const MEAN_POLL_WAIT_MS = 10;
/** The simulator's PNGs are a few KB. */
const OUTPUT_PNG_BYTES = 4096;

export interface CriticalPathFloor {
  samples: number;
  /** CreateExecute's sequential calls but InvokeEndpointAsync: request PutObject, record PutItem, the invocation's UpdateItem. */
  createMs: { p50: number; p99: number };
  /** The claim: one conditional UpdateItem. */
  claimMs: { p50: number; p99: number };
  /** One output PNG put. */
  outputPutMs: { p50: number; p99: number };
  /** The completion: a two-item TransactWriteItems (record final, the key's count freed). */
  completionMs: { p50: number; p99: number };
  /** GetExecute's read: one consistent GetItem. */
  readMs: { p50: number; p99: number };
  /** Sums of the p50s, against issue 30's targets. */
  containerShareFloorMs: number;
  answerToVisibleFloorMs: number;
  clientFloorMs: number;
}

export async function benchCriticalPathFloor(samples: number): Promise<CriticalPathFloor> {
  const bench = await startBenchStack();
  const { documents: ddb, table, bucket, region } = bench;
  const s3 = new S3Client({ region, credentials: EMULATOR_CREDENTIALS, forcePathStyle: true });
  const png = Buffer.alloc(OUTPUT_PNG_BYTES, 7);
  const series = { create: [], claim: [], put: [], completion: [], read: [] } as Record<string, number[]>;
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    series[name]!.push(performance.now() - started);
  };
  try {
    // Warm every part the way an execute does, then leave the stack idle.
    for (let i = 0; i < 3; i++) await bench.untilFinal(await bench.create(i));
    for (let i = 0; i < samples; i++) {
      const id = crypto.randomUUID();
      await timed('create', async () => {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `executes/${id}/request.json`,
            Body: JSON.stringify({ prompt: tinyTxt2imgPrompt(i) }),
            ContentType: 'application/json',
          }),
        );
        await ddb.send(
          new PutCommand({
            TableName: table,
            Item: { prompt_id: id, status: 'created', owner: 'floor' },
            ConditionExpression: 'attribute_not_exists(prompt_id)',
          }),
        );
        // InvokeEndpointAsync would come here (left out); its answer is then written.
        await ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: { prompt_id: id },
            UpdateExpression: 'SET inference_id = :id',
            ExpressionAttributeValues: { ':id': id },
          }),
        );
      });
      await timed('claim', () =>
        ddb.send(
          new UpdateCommand({
            TableName: table,
            Key: { prompt_id: id },
            UpdateExpression: 'SET #status = :running, start_time = :now',
            ConditionExpression: '#status = :created AND #owner = :owner',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':created': 'created',
              ':owner': 'floor',
              ':now': new Date().toISOString(),
            },
          }),
        ),
      );
      await timed('put', () =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `outputs/${id}/ComfyUI_00001_.png`,
            Body: png,
            ContentType: 'image/png',
          }),
        ),
      );
      await timed('completion', () =>
        ddb.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: table,
                  Key: { prompt_id: id },
                  UpdateExpression: 'SET #status = :success',
                  ConditionExpression: '#status = :running',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':running': 'running', ':success': 'success' },
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: { prompt_id: `floor-count-${id}` },
                  UpdateExpression: 'ADD unfinished_count :minusOne',
                  ExpressionAttributeValues: { ':minusOne': -1 },
                },
              },
            ],
          }),
        ),
      );
      await timed('read', () =>
        ddb.send(new GetCommand({ TableName: table, Key: { prompt_id: id }, ConsistentRead: true })),
      );
    }
  } finally {
    s3.destroy();
    await bench.stop();
  }
  const p50 = (name: string) => quantile(series[name]!, 0.5);
  const round = (ms: number) => Number(ms.toFixed(1));
  return {
    samples,
    createMs: percentiles(series.create!),
    claimMs: percentiles(series.claim!),
    outputPutMs: percentiles(series.put!),
    completionMs: percentiles(series.completion!),
    readMs: percentiles(series.read!),
    containerShareFloorMs: round(p50('claim') + p50('put')),
    answerToVisibleFloorMs: round(p50('completion')),
    clientFloorMs: round(
      p50('create') + p50('claim') + p50('put') + p50('completion') + MEAN_POLL_WAIT_MS + p50('read'),
    ),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchCriticalPathFloor(Number(process.argv[2] ?? 50)), null, 2));
  process.exit(0);
}
