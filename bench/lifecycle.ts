/**
 * The local stack end to end: AWS calls per execute lifecycle (counted by SDK middleware on the
 * handlers' own clients, and by the container's own log line), CreateExecute and GetExecute
 * latency over HTTP beside the floor (the same DynamoDB/S3/SageMaker-emulator calls made directly
 * with plain SDK clients in the same run), and sustained creates/s.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ProxyHandler } from 'aws-lambda';
import { EXECUTE_TABLE, ownerStatusKey, PENDING } from '../lambda/adapters/execute-table';
import { type ExecuteRequest, newExecuteRecord } from '../lambda/domain/execute-record';
import { AwsCallCounter, type AwsCallCounts, totalCalls } from '../lambda/platform/aws-call-counter';
import { documentClient, s3Client, sageMakerRuntimeClient } from '../lambda/platform/clients';
import { HTTP_HANDLERS } from '../local/handler-table';
import { apiKeyId, LOCAL_ENDPOINT_NAME } from '../local/local-stack';
import { halvesPng, invertPrompt } from '../test/fixtures/media';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { BENCH_KEY, EMULATOR_CREDENTIALS, startBenchStack, timeRotating } from './local-bench';
import { quantile } from './stats';

/** GetExecute rounds run and thrown away before the measured ones. */
const GET_WARM_UP_ROUNDS = 400;

export interface LifecycleResult {
  awsCalls: {
    createExecute: AwsCallCounts;
    completion: AwsCallCounts;
    getExecute: AwsCallCounts;
    container: AwsCallCounts;
    /** ComfyUI's websocket relay (the executes table's stream), off the execute path. */
    webSocketRelay: AwsCallCounts;
    /** CreateExecute + completion: what one execute costs the control plane, whoever polls. */
    perExecute: number;
    perGet: number;
    targetPerExecute: number;
    /** The same with file inputs: CreateExecute + completion, and the container's own calls. */
    withInputs: Record<
      'uploaded' | 'inline',
      {
        createExecute: AwsCallCounts;
        completion: AwsCallCounts;
        container: AwsCallCounts;
        perExecute: number;
      }
    >;
  };
  latency: {
    samples: number;
    createMs: Percentiles;
    createFloorMs: Percentiles;
    getMs: Percentiles;
    getFloorMs: Percentiles;
    /** GET /ping through the same client and gateway: the hop every route pays before any work. */
    hopMs: Percentiles;
    createRatioP50: number;
    getRatioP50: number;
    targetRatio: number;
  };
  sustained: { executes: number; concurrency: number; createsPerSecond: number };
}

interface Percentiles {
  p50: number;
  p99: number;
}

const percentiles = (samples: number[]): Percentiles => ({
  p50: Number(quantile(samples, 0.5).toFixed(2)),
  p99: Number(quantile(samples, 0.99).toFixed(2)),
});

const difference = (after: AwsCallCounts, before: AwsCallCounts): AwsCallCounts =>
  Object.fromEntries(
    Object.entries(after)
      .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

export async function benchLifecycle(samples: number): Promise<LifecycleResult> {
  const containerCalls = new Map<string, AwsCallCounts>();
  const bench = await startBenchStack((part, line) => {
    if (part !== 'container' || !line.includes('invocation answered')) return;
    const entry = JSON.parse(line) as { prompt_id?: string; aws_calls?: AwsCallCounts };
    if (entry.prompt_id && entry.aws_calls) containerCalls.set(entry.prompt_id, entry.aws_calls);
  });
  const { api, region, table, bucket, readRecord, create, get, untilFinal } = bench;
  try {
    // The handlers' own cached clients (local-stack built the environment they read).
    const counter = new AwsCallCounter();
    const counted = [
      documentClient({ region }),
      s3Client({ region, s3ForcePathStyle: true }),
      sageMakerRuntimeClient({ region }),
    ];
    for (const client of counted) counter.attach(client);
    // The websocket relay's own client: its calls are counted apart (no connection is open here).
    const relayCounter = new AwsCallCounter();
    relayCounter.attach(documentClient({ region }, 'websocket'));
    const byRoute: Record<string, AwsCallCounts> = {};
    const handlers = HTTP_HANDLERS as Record<string, ProxyHandler>;
    const unwrapped = { ...handlers };
    for (const name of ['create-execute', 'get-execute']) {
      const inner = handlers[name]!;
      handlers[name] = (event, context, callback) =>
        counter.run(async (calls) => {
          const result = await inner(event, context, callback);
          byRoute[name] = calls();
          return result;
        }) as ReturnType<ProxyHandler>;
    }

    // Plain clients, not counted: the floor's calls.
    const ddb = bench.documents;
    const s3 = new S3Client({ region, credentials: EMULATOR_CREDENTIALS, forcePathStyle: true });
    const sagemaker = new SageMakerRuntimeClient({ region, credentials: EMULATOR_CREDENTIALS });

    // 1. Calls per lifecycle, one execute at a time so nothing else is in flight.
    const lifecycle = async (createOne: () => Promise<string>) => {
      const before = { ...counter.untracked };
      const relayBefore = { ...relayCounter.untracked };
      const id = await createOne();
      const created = byRoute['create-execute']!;
      await untilFinal(id);
      // The container completes the record; the notification then counts its usage (issue 31):
      // the lifecycle ends there, not at a quiet 100 ms that a slow notification can outlast.
      for (let i = 0; i < 3000 && (await readRecord(id))?.usage_counted !== true; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      // The record turns final before OnAsyncResult's write returns (and is counted): let it settle.
      let settled = '';
      while (settled !== JSON.stringify(counter.untracked)) {
        settled = JSON.stringify(counter.untracked);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const completion = difference(counter.untracked, before);
      const relay = difference(relayCounter.untracked, relayBefore);
      if ((await get(id)) !== 'success') throw new Error(`execute ${id} did not succeed`);
      return { id, create: created, completion, relay, get: byRoute['get-execute']! };
    };
    const lifecycles: Awaited<ReturnType<typeof lifecycle>>[] = [];
    for (let i = 0; i < 5; i++) lifecycles.push(await lifecycle(() => create(i)));

    // 1b. The same with one file input: an uploaded one (POST /inputs signs locally: no AWS call)
    // and an inline one (staged by CreateExecute).
    const image = halvesPng(16, 16);
    const named = await api.request('POST', 'inputs', {
      filename: 'b.png',
      content_type: 'image/png',
      size: image.length,
    });
    const { name, upload } = (
      named.body as { data: { name: string; upload: { url: string; headers: Record<string, string> } } }
    ).data;
    if ((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: image })).status !== 200)
      throw new Error('upload refused');
    const createWith = async (body: Record<string, unknown>) => {
      const { status, body: answer } = await api.request('POST', 'executes', body);
      if (status !== 201) throw new Error(`create: ${status} ${JSON.stringify(answer)}`);
      return (answer as { data: { prompt_id: string } }).data.prompt_id;
    };
    const withInput = async (body: () => Record<string, unknown>) => {
      await lifecycle(() => createWith(body())); // the first one of a kind may fetch the catalog
      const measured = await lifecycle(() => createWith(body()));
      return {
        createExecute: measured.create,
        completion: measured.completion,
        container: containerCalls.get(measured.id) ?? {},
        perExecute: totalCalls(measured.create) + totalCalls(measured.completion),
      };
    };
    const withInputs = {
      uploaded: await withInput(() => ({ prompt: invertPrompt(name), client_id: crypto.randomUUID() })),
      inline: await withInput(() => ({
        prompt: invertPrompt('b.png'),
        inputs: { 'b.png': image.toString('base64') },
        client_id: crypto.randomUUID(),
      })),
    };
    const last = lifecycles.at(-1)!;
    // The first creates also fetch the endpoint's node catalog (cached a minute after that).
    for (const other of lifecycles.slice(2)) {
      if (
        totalCalls(other.create) + totalCalls(other.completion) !==
        totalCalls(last.create) + totalCalls(last.completion)
      )
        throw new Error(`lifecycles differ: ${JSON.stringify(lifecycles)}`);
    }

    // 2. Latency beside its floor, the two interleaved so both see the same load. Counting is
    // over: the handlers and clients run as deployed, without the counter's wrapper and middleware.
    Object.assign(handlers, unwrapped);
    for (const client of counted) counter.detach(client);
    const createMs: number[] = [];
    const createFloorMs: number[] = [];
    const getMs: number[] = [];
    const getFloorMs: number[] = [];
    const owner = apiKeyId(BENCH_KEY);
    const created: string[] = [];
    for (let i = 0; i < samples; i++) {
      let t = performance.now();
      const id = await create(1000 + i);
      createMs.push(performance.now() - t);
      created.push(id);

      const floorId = crypto.randomUUID();
      const prompt = tinyTxt2imgPrompt(5000 + i);
      const promptPath = `s3://${bucket}/executes/${floorId}/request-floor.json`;
      const record = newExecuteRecord(
        { prompt, prompt_id: floorId, endpoint_name: LOCAL_ENDPOINT_NAME } as unknown as ExecuteRequest,
        {
          owner,
          now: new Date(),
          promptPath,
          requestHash: 'floor',
          retentionDays: 30,
          answerWithinSeconds: 3600,
          promptLocation: 'inline',
          workflowPath: null,
        },
      );
      const item = {
        ...record,
        owner_status: ownerStatusKey(owner, 'created'),
        [EXECUTE_TABLE.pending.partitionKey]: PENDING,
      };
      const staged = JSON.stringify({
        prompt,
        prompt_id: floorId,
        endpoint_name: LOCAL_ENDPOINT_NAME,
        owner,
      });
      t = performance.now();
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `executes/${floorId}/request-floor.json`,
          Body: staged,
          ContentType: 'application/json',
        }),
      );
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(prompt_id)',
        }),
      );
      const accepted = await sagemaker.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: LOCAL_ENDPOINT_NAME,
          InputLocation: promptPath,
          InferenceId: floorId,
          ContentType: 'application/json',
        }),
      );
      await ddb.send(
        new UpdateCommand({
          TableName: table,
          Key: { prompt_id: floorId },
          UpdateExpression: 'SET inference_id = :id, sagemaker_raw.OutputLocation = :out',
          ExpressionAttributeValues: { ':id': accepted.InferenceId, ':out': accepted.OutputLocation },
        }),
      );
      createFloorMs.push(performance.now() - t);
    }
    // GetExecute on finished executes (one output file to presign), once the executes above have
    // stopped running: a GET, its floor read of the same record, and GET /ping (the HTTP hop,
    // gateway and envelope with no AWS call: the part of the ratio no handler work can remove),
    // in rotating order so none of them always runs first.
    const hopMs: number[] = [];
    for (const id of created) await untilFinal(id);
    // Unrecorded rounds first, so a short (--quick) run measures warm code as a long one does:
    // without them JIT and DynamoDB Local warm-up decided a 30-sample p50 (0.5–1.4 ms "share").
    const ignored: number[] = [];
    for (let i = 0; i < GET_WARM_UP_ROUNDS; i++)
      await timeRotating(
        [
          { work: () => get(created[0]!), into: ignored },
          { work: () => readRecord(created[0]!), into: ignored },
          { work: () => api.request('GET', 'ping'), into: ignored },
        ],
        i,
      );
    for (const [i, id] of created.entries()) {
      await timeRotating(
        [
          { work: () => get(id), into: getMs },
          { work: () => readRecord(id), into: getFloorMs },
          { work: () => api.request('GET', 'ping'), into: hopMs },
        ],
        i,
      );
    }

    // 3. Sustained creates/s: 16 clients for 4 × samples creates.
    const total = samples * 4;
    const concurrency = 16;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) await create(20_000 + next++);
      }),
    );
    const createsPerSecond = Number((total / ((performance.now() - started) / 1000)).toFixed(1));

    const create50 = percentiles(createMs);
    const createFloor50 = percentiles(createFloorMs);
    const get50 = percentiles(getMs);
    const getFloor50 = percentiles(getFloorMs);
    return {
      awsCalls: {
        createExecute: last.create,
        completion: last.completion,
        getExecute: last.get,
        container: containerCalls.get(last.id) ?? {},
        webSocketRelay: last.relay,
        perExecute: totalCalls(last.create) + totalCalls(last.completion),
        perGet: totalCalls(last.get),
        targetPerExecute: 6,
        withInputs,
      },
      latency: {
        samples,
        createMs: create50,
        createFloorMs: createFloor50,
        getMs: get50,
        getFloorMs: getFloor50,
        hopMs: percentiles(hopMs),
        createRatioP50: Number((create50.p50 / createFloor50.p50).toFixed(2)),
        getRatioP50: Number((get50.p50 / getFloor50.p50).toFixed(2)),
        targetRatio: 1.3,
      },
      sustained: { executes: total, concurrency, createsPerSecond },
    };
  } finally {
    await bench.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLifecycle(Number(process.argv[2] ?? 100)), null, 2));
  process.exit(0);
}
