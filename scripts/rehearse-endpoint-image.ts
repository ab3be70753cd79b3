/**
 * Rehearses what SageMaker does with the endpoint image, where no Docker engine runs, against a
 * real ComfyUI checkout. The image's ENTRYPOINT/CMD (`entrypoint.sh serve`) runs with the
 * Dockerfile's ENV and the SageMaker model's variables, paths pointed at the checkout
 * (container/start-image-outside-docker.ts); DynamoDB Local and s3rver stand in for DynamoDB and S3,
 * the project's SageMaker async emulator (local/aws-emulator) for SageMaker, and executes are made
 * by the real CreateExecute use case and settled by OnAsyncResult's. Steps:
 *   1. start-up: /ping on the Dockerfile's PORT is non-200 until ComfyUI answers and its catalog is in S3, then 200; the
 *      node catalog (ComfyUI's /object_info) is published to S3; ComfyUI and the adapter run
 *      under the entrypoint;
 *   2. a weight-free prompt (EmptyImage → SaveImage) through InvokeEndpointAsync: the output
 *      object, the PNGs in S3, the record;
 *   3. a slow prompt, ComfyUI killed (SIGKILL) mid-run: the answer, the record, then /ping and
 *      the entrypoint's exit.
 *
 *   COMFYUI_DIR=/path/to/ComfyUI [COMFYUI_PYTHON=python3] [COMFYUI_ARGS=--cpu] \
 *     npx tsx scripts/rehearse-endpoint-image.ts
 *
 * Prints a timeline and one line per check; exits 1 if a check failed. container/README.md
 * says what this proves and what only a Docker build can.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { objectInfoKey } from '../container/src/publish-object-info';
import { findProcess, processTree, startImageOutsideDocker } from '../container/start-image-outside-docker';
import { DynamoDbExecuteStore } from '../lambda/adapters/dynamodb-execute-store';
import { S3InputStore } from '../lambda/adapters/s3-input-store';
import { S3ModelLibrary } from '../lambda/adapters/s3-model-library';
import { S3NodeCatalogSource } from '../lambda/adapters/s3-node-catalog';
import { S3PayloadStore } from '../lambda/adapters/s3-payload-store';
import { parseS3Uri } from '../lambda/adapters/s3-uri';
import { SageMakerAsyncInvoker } from '../lambda/adapters/sagemaker-async-invoker';
import { parseSageMakerNotification } from '../lambda/adapters/sagemaker-notification';
import { createExecute } from '../lambda/use-cases/create-execute';
import { recordAsyncResult } from '../lambda/use-cases/record-async-result';
import { AwsEmulator } from '../local/aws-emulator/server';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { BUCKET_NAME, CREDENTIALS, ensureTablesAndBucket, TABLE_NAME } from '../local/local-storage';
import { startS3Local } from '../local/s3-local';
import { createInput } from '../test/fixtures/prompts';

// The image runs Node 22; the SDK's notice about older Nodes is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const comfyuiDir = process.env.COMFYUI_DIR;
if (!comfyuiDir) {
  process.stderr.write('set COMFYUI_DIR to a ComfyUI checkout (and COMFYUI_PYTHON to its interpreter)\n');
  process.exit(2);
}
const REGION = 'us-east-1';
const ENDPOINT = 'comfy-async-rehearsal';
// lib/constructs/async-endpoint.ts: ContainerStartupHealthCheckTimeoutInSeconds.
const STARTUP_LIMIT_MS = 900_000;
const SLOW_BLURS = Number(process.env.REHEARSAL_SLOW_BLURS ?? 4);

const t0 = Date.now();
const clock = (at = Date.now()) => `${((at - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (line: string) => process.stdout.write(`[${clock()}] ${line}\n`);
const failures: string[] = [];
function check(name: string, ok: boolean, detail = '') {
  say(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures.push(name);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One probe as SageMaker makes it (2 s timeout): the status, or why there was none. */
async function probe(url: string): Promise<string> {
  try {
    return String((await fetch(url, { signal: AbortSignal.timeout(2000) })).status);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error as Error).name;
  }
}

// weight-free, so a CPU-only ComfyUI runs them for real
const quickPrompt = {
  '1': { class_type: 'EmptyImage', inputs: { width: 512, height: 512, batch_size: 2, color: 0x3399ff } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'rehearsal' } },
};
function slowPrompt(blurs: number) {
  const prompt: Record<string, unknown> = {
    '1': { class_type: 'EmptyImage', inputs: { width: 1024, height: 1024, batch_size: 4, color: 0x3399ff } },
  };
  for (let i = 0; i < blurs; i++)
    prompt[`${10 + i}`] = {
      class_type: 'ImageBlur',
      inputs: { image: [i === 0 ? '1' : `${9 + i}`, 0], blur_radius: 31, sigma: 10 },
    };
  prompt['2'] = { class_type: 'SaveImage', inputs: { images: [`${9 + blurs}`, 0], filename_prefix: 'slow' } };
  return prompt;
}

const dynamo = await startDynamoDbLocal();
const s3Local = await startS3Local();
await ensureTablesAndBucket(dynamo.endpoint, s3Local.endpoint);
const s3 = new S3Client({
  endpoint: s3Local.endpoint,
  region: REGION,
  credentials: CREDENTIALS,
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', // toolchain.md §9: s3rver and aws-chunked uploads
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDENTIALS }),
  { marshallOptions: { removeUndefinedValues: true } },
);
const store = new DynamoDbExecuteStore(documents, TABLE_NAME);
const payloads = new S3PayloadStore(s3, BUCKET_NAME);
const readObject = async (uri: string) => {
  const { bucket, key } = parseS3Uri(uri);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
};

say(`DynamoDB Local ${dynamo.endpoint}, s3rver ${s3Local.endpoint}; starting the image's entrypoint`);
const image = await startImageOutsideDocker({
  comfyuiDir,
  python: process.env.COMFYUI_PYTHON ?? 'python3',
  comfyuiArgs: process.env.COMFYUI_ARGS ?? '--cpu',
  // What the SageMaker model sets (lib/constructs/async-endpoint.ts), and the local AWS parts.
  env: {
    TABLE_NAME,
    BUCKET_NAME,
    ENDPOINT_NAME: ENDPOINT,
    AWS_REGION: REGION,
    MODEL_CACHE_BYTES: String(100 * 1024 ** 3),
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3Local.endpoint,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    S3_FORCE_PATH_STYLE: 'true',
  },
  onLine: (line) => {
    if (/entrypoint:|Traceback|Error|To see the GUI|Starting server|extra search path/.test(line))
      say(`  container: ${line.slice(0, 160)}`);
  },
});
say(`entrypoint pid ${image.pid}; log ${image.logFile}`);
let gone = false;
void image.exited.then((exit) => {
  gone = true;
  say(`entrypoint exited: ${exit.code ?? exit.signal}`);
});

const notifications: Record<string, unknown>[] = [];
const aws = new AwsEmulator({
  s3,
  region: REGION,
  endpoints: [
    {
      name: ENDPOINT,
      containerUrl: image.url,
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
      maxConcurrentInvocationsPerInstance: 1,
      s3OutputPath: `s3://${BUCKET_NAME}/async-inference/outputs`,
      s3FailurePath: `s3://${BUCKET_NAME}/async-inference/failures`,
    },
  ],
  notify: async (_kind, message) => void notifications.push(message),
  log: (line) => say(`  sagemaker: ${line}`),
});
const runtime = new SageMakerRuntimeClient({
  endpoint: await aws.start(),
  region: REGION,
  credentials: CREDENTIALS,
  maxAttempts: 1,
});

async function startup() {
  const seen: Record<string, number> = {};
  let comfyUp: number | undefined;
  let ping200: number | undefined;
  let catalog: number | undefined;
  let pingBeforeComfy = false;
  let pingBeforeCatalog = false;
  while (ping200 === undefined || catalog === undefined) {
    if (Date.now() - t0 > STARTUP_LIMIT_MS) break;
    if (gone) break;
    const ping = await probe(`${image.url}/ping`);
    const comfy = await probe(`${image.comfyuiUrl}/system_stats`);
    if (ping200 === undefined) seen[ping] = (seen[ping] ?? 0) + 1;
    if (comfy === '200') comfyUp ??= Date.now();
    if (ping === '200') {
      ping200 ??= Date.now();
      if (comfy !== '200') pingBeforeComfy = true;
    }
    if (catalog === undefined)
      catalog = await s3
        .send(new HeadObjectCommand({ Bucket: BUCKET_NAME, Key: objectInfoKey(ENDPOINT) }))
        .then(() => Date.now())
        .catch(() => undefined);
    // The catalog is looked for after /ping answered: missing now means missing then too.
    if (ping === '200' && catalog === undefined) pingBeforeCatalog = true;
    await sleep(100);
  }
  say(`/ping answers up to its first 200: ${JSON.stringify(seen)}`);
  say(`ComfyUI answered at ${comfyUp && clock(comfyUp)}, /ping 200 at ${ping200 && clock(ping200)}`);
  say(`catalog published at ${catalog && clock(catalog)}`);
  check(
    '/ping answers non-200 until ComfyUI answers',
    !pingBeforeComfy && Object.keys(seen).some((answer) => answer !== '200'),
  );
  check('/ping answers non-200 until the catalog is in S3', !pingBeforeCatalog);
  check('/ping answers 200 once ComfyUI answers', ping200 !== undefined && comfyUp !== undefined);
  check('the node catalog is published to S3', catalog !== undefined);
  const published = JSON.parse(
    (await readObject(`s3://${BUCKET_NAME}/${objectInfoKey(ENDPOINT)}`)).toString(),
  );
  const live = (await (await fetch(`${image.comfyuiUrl}/object_info`)).json()) as object;
  check(
    "the catalog is ComfyUI's /object_info",
    Object.keys(published).length === Object.keys(live).length,
    `${Object.keys(published).length} node types`,
  );
  const comfyPid = findProcess(image.pid, image.markers.comfyui);
  const adapterPid = findProcess(image.pid, image.markers.adapter);
  check(
    'ComfyUI and the adapter run under the entrypoint',
    !!comfyPid && !!adapterPid,
    `${comfyPid}, ${adapterPid}`,
  );
  say(
    `  process tree: ${processTree(image.pid)
      .map((p) => `${p.pid}<${p.ppid} ${p.args.slice(0, 60)}`)
      .join(' | ')}`,
  );
}

/** CreateExecute as the API runs it: staged in S3, record in DynamoDB, InvokeEndpointAsync. */
async function submit(prompt: Record<string, unknown>) {
  const { record } = await createExecute(createInput({ prompt, endpoint_name: ENDPOINT }), 'rehearsal', {
    store,
    payloads,
    invoker: new SageMakerAsyncInvoker(runtime, {
      requestTtlSeconds: 21_600,
      invocationTimeoutSeconds: 3600,
    }),
    clock: { now: () => new Date() },
    ids: { newId: () => randomUUID() },
    digest: (text) => createHash('sha256').update(text).digest('hex'),
    // Only the endpoint's published catalog: a create validated against anything else fails here.
    catalogs: new S3NodeCatalogSource(s3, BUCKET_NAME, () => {
      throw new Error('the endpoint has published no catalog');
    }),
    inputs: new S3InputStore(s3, s3, BUCKET_NAME, 1),
    models: new S3ModelLibrary(s3, s3, BUCKET_NAME),
    resolveHost: async () => ['127.0.0.1'],
    config: {
      defaultEndpointName: ENDPOINT,
      endpointNames: [ENDPOINT],
      retentionDays: 1,
      maxInlinePromptBytes: 300_000,
      answerWithinSeconds: 21_600 + 3600,
      libraryBucketUri: `s3://${BUCKET_NAME}/`,
      inputs: { readableBuckets: [], allowLoopbackUrls: false, maxInlineInputs: 100, maxSyncedFiles: 1000 },
    },
  });
  return record;
}

/** Waits for SageMaker's notification of `id`, then settles the record as OnAsyncResult does. */
async function settle(id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const find = () => notifications.find((m) => m.inferenceId === id);
  while (!find() && Date.now() < deadline) await sleep(50);
  const message = find();
  if (!message) return undefined;
  const parsed = parseSageMakerNotification(JSON.stringify(message));
  if (parsed.kind === 'result')
    await recordAsyncResult(parsed.outcome, { store, payloads, clock: { now: () => new Date() } });
  return { message, at: Date.now(), record: await store.get(id) };
}

async function quickRun() {
  const started = Date.now();
  const record = await submit(quickPrompt);
  const done = await settle(record.prompt_id, 120_000);
  check(
    'the weight-free prompt completes',
    done?.message.invocationStatus === 'Completed',
    `${done && done.at - started} ms`,
  );
  const location = (done?.message.responseParameters as { outputLocation?: string } | undefined)
    ?.outputLocation;
  const answer = location ? JSON.parse((await readObject(location)).toString()) : {};
  say(`  answer: status ${answer.status}, timings ${JSON.stringify(answer.timings)}`);
  const files: string[] = answer.output_files ?? [];
  const sizes = await Promise.all(
    files.map(async (key: string) => {
      const png = await readObject(key.startsWith('s3://') ? key : `${answer.output_path}${key}`);
      const isPng = png.subarray(1, 4).toString() === 'PNG';
      return isPng ? `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}` : 'not a PNG';
    }),
  );
  check(
    'its two PNGs are in S3 at 512x512',
    sizes.length === 2 && sizes.every((s) => s === '512x512'),
    files.join(', '),
  );
  check('the record is success', done?.record?.status === 'success', done?.record?.status);
  // Issue 25: once in S3, the execute's files leave ComfyUI's output/ (the image's COMFYUI_OUTPUT_DIR).
  const reported = Object.values(answer.outputs ?? {}).flatMap(
    (ui) => (ui as { images?: { filename: string; subfolder?: string }[] }).images ?? [],
  );
  const left = reported
    .map((item) => join(comfyuiDir!, 'output', item.subfolder ?? '', item.filename))
    .filter((path) => existsSync(path));
  check(
    "its files are gone from ComfyUI's output/",
    reported.length === 2 && left.length === 0,
    left.join(', ') || `${reported.length} removed`,
  );
}

async function killedRun() {
  const record = await submit(slowPrompt(SLOW_BLURS));
  let running: string | undefined;
  const slowPings: string[] = [];
  for (let i = 0; i < 1200 && !running; i++) {
    const now = await store.get(record.prompt_id);
    // killed inside the blur chain (nodes 10…), not before ComfyUI got going
    if (now?.status === 'running' && Number(now.current_node) >= 10) running = now.current_node!;
    const started = Date.now();
    const ping = await probe(`${image.url}/ping`);
    if (ping !== '200' || Date.now() - started > 2000) slowPings.push(ping);
    await sleep(100);
  }
  check('/ping answers 200 within 2 s while a prompt runs', slowPings.length === 0, slowPings.join(','));
  const comfyPid = findProcess(image.pid, image.markers.comfyui);
  if (!running || !comfyPid) return check('the slow prompt reached ComfyUI', false);
  process.kill(comfyPid, 'SIGKILL');
  const killedAt = Date.now();
  say(`ComfyUI (pid ${comfyPid}) killed with SIGKILL while it ran node ${running}`);
  const after: string[] = [];
  const watching = (async () => {
    for (let i = 0; i < 120; i++) {
      after.push(`${clock()}:${await probe(`${image.url}/ping`)}`);
      await sleep(250);
    }
  })();
  const done = await settle(record.prompt_id, 60_000);
  const failed = done?.message.invocationStatus === 'Failed';
  check(
    'the invocation fails',
    failed,
    `${done && done.at - killedAt} ms after the kill: ${done?.message.failureReason}`,
  );
  const failure = done?.record?.sagemaker_raw?.FailureLocation as string | undefined;
  const body = failure
    ? await readObject(failure).then(
        (b) => b.toString(),
        () => '',
      )
    : '';
  say(`  container's answer (the failure object): ${body.slice(0, 300) || '(none)'}`);
  check('the answer says ComfyUI went away', /ComfyUI/.test(body), done?.record?.message);
  check('the record is failed', done?.record?.status === 'failed', done?.record?.message);
  const exit = await Promise.race([image.exited, sleep(30_000).then(() => undefined)]);
  await Promise.race([watching, sleep(3000)]);
  const squeezed = after.filter((entry, i) => i === 0 || entry.split(':')[1] !== after[i - 1]!.split(':')[1]);
  say(`  /ping after the kill (changes only): ${squeezed.join(' ')}`);
  check(
    'the entrypoint stops the container (SageMaker replaces the instance)',
    exit !== undefined && !after.slice(-4).some((entry) => entry.endsWith(':200')),
    exit
      ? `exit ${exit.code ?? exit.signal} ${exit.at - killedAt} ms after the kill`
      : 'still running after 30 s',
  );
}

try {
  await startup();
  if (failures.length === 0) await quickRun();
  if (failures.length === 0) await killedRun();
} catch (error) {
  check('the rehearsal ran', false, (error as Error).stack ?? String(error));
} finally {
  await image.stop();
  await aws.stop();
  await s3Local.stop();
  await dynamo.stop();
}
say(failures.length ? `${failures.length} check(s) failed: ${failures.join('; ')}` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
