/**
 * `npm start`: the whole comfy-exec system on this machine (see README "Local stack").
 * Environment: PORT (3000; 0 = any free port), API_KEY or API_KEYS (comma-separated; default a
 * random 20-character key), COMFYUI_URL (a real ComfyUI instead of the simulator) and
 * COMFYUI_INPUT_DIR, COMFYUI_OUTPUT_DIR, COMFYUI_TEMP_DIR and MODEL_CACHE_DIR (its input, output
 * and temp folders, and a model folder its extra_model_paths.yaml lists), MODEL_WRITERS (keys that may change the model library;
 * default the first key), OBJECT_INFO,
 * SIM_STEP_MS, DATA_DIR (persist DynamoDB/S3 data there; default in memory), THROTTLE_RATE_LIMIT and
 * THROTTLE_BURST_LIMIT (the usage plan's throttle per key, as deployed; default none),
 * ALLOW_NODES (node classes the local endpoint lets read or write server paths, comma-separated:
 * the stack context allowNodes' list for it), MAX_UNFINISHED_PER_KEY, MAX_WAITING_PER_KEY and
 * MAX_CONNECTIONS_PER_KEY (the context keys maxUnfinishedPerKey, maxWaitingPerKey, maxConnectionsPerKey),
 * ENVIRONMENTS (name[=ComfyUI URL or object_info file],…: one endpoint per environment, as deployed),
 * OPERATOR_KEYS, GPU_SECONDS_PER_DAY and PRICE_PER_HOUR (usage: operatorKeys, gpuSecondsPerDay, pricePerHour).
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import { z } from 'zod';
import {
  findLocalStacks,
  localStackFile,
  localStackLogFile,
  prepareLocalStackFolder,
  removeLocalStackFile,
  writeLocalStackFile,
} from '../client/src/node/local-stack-file';
import { parseEnvironmentsOption } from './environments-option';
import { listenOnLoopback } from './listen-on-loopback';
import { newLocalCredentials } from './local-credentials';
import type { LocalEnvironment } from './local-stack-options';
import { openStackLogFile, type StackLogFile } from './stack-log-file';
import { apiKeyId, jsonRecordOf } from './usage-settings';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomKey = () =>
  Array.from({ length: 20 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

const StartEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  API_KEY: z.string().min(1).optional(),
  API_KEYS: z.string().optional(),
  COMFYUI_URL: z.url().optional(),
  COMFYUI_INPUT_DIR: z.string().min(1).optional(),
  COMFYUI_OUTPUT_DIR: z.string().min(1).optional(),
  COMFYUI_TEMP_DIR: z.string().min(1).optional(),
  MODEL_WRITERS: z.string().optional(),
  MODEL_CACHE_DIR: z.string().min(1).optional(),
  OBJECT_INFO: z.string().min(1).optional(),
  SIM_STEP_MS: z.coerce.number().int().min(0).max(60_000).default(50),
  DATA_DIR: z.string().min(1).optional(),
  THROTTLE_RATE_LIMIT: z.coerce.number().positive().optional(),
  THROTTLE_BURST_LIMIT: z.coerce.number().int().min(1).optional(),
  ALLOW_NODES: z.string().optional(),
  MAX_UNFINISHED_PER_KEY: z.coerce.number().int().min(1).optional(),
  MAX_WAITING_PER_KEY: z.coerce.number().int().min(0).optional(),
  MAX_CONNECTIONS_PER_KEY: z.coerce.number().int().min(1).optional(),
  ALLOW_LOOPBACK_INPUT_URLS: z.enum(['true', 'false']).default('false'),
  ENVIRONMENTS: z.string().optional(),
  OPERATOR_KEYS: z.string().optional(),
  GPU_SECONDS_PER_DAY: z
    .string()
    .optional()
    .transform((text, ctx) => jsonRecordOf(text, ctx, '{"<key>" or "*": seconds}')),
  PRICE_PER_HOUR: z
    .string()
    .optional()
    .transform((text, ctx) => jsonRecordOf(text, ctx, '{"ml.g5.xlarge": 1.408}')),
});

// Every part's log line carries its name; nothing is shown before "Ready." so the banner stays on top.
const rawWrite = process.stdout.write.bind(process.stdout);
let ready = false;
const held: string[] = [];
let logFile: StackLogFile | undefined;
function emit(part: string, line: string) {
  const text = `[${part}] ${line}\n`;
  logFile?.write(text);
  if (ready) rawWrite(text);
  else held.push(text);
}
// In-process writers are the Lambda handlers (Powertools' JSON logs): INFO on stdout, WARN and
// ERROR on stderr. Both get the prefix and reach the log file the debug links point at.
const rawError = process.stderr.write.bind(process.stderr);
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line.trim() !== '') emit('lambda', line);
    return true;
  }) as typeof stream.write;
}

function fail(message: string): never {
  rawError(`npm start: ${message}\n`);
  process.exit(1);
}

const listOf = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const parsed = StartEnvSchema.safeParse(process.env);
if (!parsed.success) fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
const env = parsed.data;
const apiKeys = (env.API_KEYS ?? env.API_KEY ?? randomKey())
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);
if (apiKeys.length === 0) fail('API_KEYS names no key');

// The API port before anything else: taken, it is said at once, with no part to stop. The server
// answers 503 while the parts start; the gateway then answers on it.
const apiServer = createServer((_request, response) => {
  response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' });
  response.end('{"message":"the local stack is starting"}');
});
try {
  await listenOnLoopback(apiServer, env.PORT);
} catch (error) {
  const { code, message } = error as NodeJS.ErrnoException;
  fail(
    code === 'EADDRINUSE'
      ? `port ${env.PORT} is in use; set PORT=0 (any free port) or another port`
      : `cannot listen on 127.0.0.1:${env.PORT}: ${message}`,
  );
}

// Before any part starts: a folder that cannot hold the file stops us with nothing left running.
const stackFile = localStackFile();
try {
  prepareLocalStackFolder(stackFile);
  logFile = openStackLogFile(localStackLogFile(stackFile));
} catch (error) {
  fail((error as Error).message);
}
// However npm start ends (a failed start, a signal), its log goes with it.
process.on('exit', () => logFile?.remove());
// Every part checks each request's signature against this pair, made for this run alone: any user
// of the machine can reach a loopback port, and a well-known pair would let them in.
const credentials = newLocalCredentials();

process.env.POWERTOOLS_SERVICE_NAME ??= 'comfy-exec';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { startLocalStack } = await import('./local-stack');
const { LOCAL_REGION } = await import('./lambda-context');
const { curlExample } = await import('./curl-example');

let environments: LocalEnvironment[] = [];
try {
  environments = parseEnvironmentsOption(env.ENVIRONMENTS ?? '');
  if (environments.length > 0 && env.COMFYUI_URL)
    throw new Error(
      'ENVIRONMENTS gives each environment its own ComfyUI (name=URL); COMFYUI_URL is for the single endpoint: use one or the other',
    );
} catch (error) {
  fail((error as Error).message);
}

let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    port: env.PORT,
    apiServer,
    logFile: logFile?.path,
    apiKeys,
    credentials,
    comfyuiUrl: env.COMFYUI_URL,
    comfyuiInputDir: env.COMFYUI_INPUT_DIR,
    comfyuiOutputDir: env.COMFYUI_OUTPUT_DIR,
    comfyuiTempDir: env.COMFYUI_TEMP_DIR,
    modelCacheDir: env.MODEL_CACHE_DIR,
    ...(env.MODEL_WRITERS !== undefined
      ? {
          modelWriters: listOf(env.MODEL_WRITERS),
        }
      : {}),
    ...(env.ALLOW_NODES !== undefined ? { allowNodes: listOf(env.ALLOW_NODES) } : {}),
    ...(env.OPERATOR_KEYS !== undefined ? { operatorKeys: listOf(env.OPERATOR_KEYS) } : {}),
    ...(env.GPU_SECONDS_PER_DAY ? { gpuSecondsPerDay: env.GPU_SECONDS_PER_DAY } : {}),
    ...(env.PRICE_PER_HOUR ? { pricePerHour: env.PRICE_PER_HOUR } : {}),
    loopbackInputUrls: env.ALLOW_LOOPBACK_INPUT_URLS === 'true',
    maxUnfinishedPerKey: env.MAX_UNFINISHED_PER_KEY,
    maxWaitingPerKey: env.MAX_WAITING_PER_KEY,
    maxConnectionsPerKey: env.MAX_CONNECTIONS_PER_KEY,
    objectInfo: env.OBJECT_INFO,
    ...(environments.length > 0 ? { environments } : {}),
    simStepMs: env.SIM_STEP_MS,
    dataDir: env.DATA_DIR,
    ...(env.THROTTLE_RATE_LIMIT !== undefined || env.THROTTLE_BURST_LIMIT !== undefined
      ? {
          throttle: {
            rateLimit: env.THROTTLE_RATE_LIMIT ?? 50,
            burstLimit: env.THROTTLE_BURST_LIMIT ?? 100,
          },
        }
      : {}),
    sweepIntervalMs: 10_000,
    log: emit,
  });
} catch (error) {
  for (const line of held) rawWrite(line);
  fail(`could not start the local stack: ${(error as Error).message}`);
}

// For `comfy-exec` in another terminal (client/src/node/local-stack-file.ts): this stack's own file, removed on stop.
let writtenFile = stackFile;
try {
  writtenFile = writeLocalStackFile(
    {
      api_url: stack.apiUrl,
      api_key: apiKeys[0]!,
      pid: process.pid,
      started_at: new Date().toISOString(),
      project_dir: process.cwd(),
      aws: {
        region: LOCAL_REGION,
        access_key_id: credentials.accessKeyId,
        secret_access_key: credentials.secretAccessKey,
        endpoints: { dynamodb: stack.dynamoEndpoint, s3: stack.s3Endpoint, emulator: stack.aws.url },
      },
    },
    stackFile,
  );
} catch (error) {
  await stack.stop();
  fail((error as Error).message);
}
rawWrite(`API URL: ${stack.apiUrl}\n`);
// Its id is what GET /usage, the records' owner and the key settings (OPERATOR_KEYS, …) name.
rawWrite(`API key: ${apiKeys[0]} (id ${apiKeyId(apiKeys[0]!)})\n`);
rawWrite(`${curlExample(stack.apiUrl, apiKeys[0]!)}\n`);
if (environments.length > 0)
  rawWrite(
    `Endpoints: ${environments.map(({ name }, index) => `comfy-async-${name}${index === 0 ? ' (default)' : ''}`).join(', ')} (workflow_name routes by environment name)\n`,
  );
rawWrite(
  `ComfyUI clients: ${stack.apiUrl}comfyui/ (websocket ${stack.webSocketUrl}), with the x-api-key header\n`,
);
rawWrite(`Console: ${new URL('/console/', stack.apiUrl)}\n`);
rawWrite('Ready.\n');
ready = true;
for (const line of held.splice(0)) rawWrite(line);
if (writtenFile !== stackFile)
  emit(
    'local',
    `another npm start still running owns ${stackFile}: \`comfy-exec\` told that file keeps talking to that one. This stack's URL, key and key pair are in ${writtenFile}; COMFY_EXEC_LOCAL_STACK_FILE=${writtenFile} points the command line here`,
  );
// Finding the others also removes the files of stacks that ended without removing theirs (killed outright).
else
  for (const other of findLocalStacks().filter(({ info }) => info.pid !== process.pid))
    emit(
      'local',
      `another npm start is running too (pid ${other.info.pid} at ${other.info.api_url}): \`comfy-exec\` talks to the one started last (this one) and says so; COMFY_EXEC_LOCAL_STACK_FILE=${other.file} points it there`,
    );
emit(
  'local',
  `DynamoDB, S3 and the AWS emulator take only requests signed with this run's key pair (access key id ${credentials.accessKeyId}; both halves in ${writtenFile}, "aws", with region ${LOCAL_REGION})`,
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  emit('local', `${signal}: stopping every part`);
  // Whatever happens, nothing outlives us by more than 5 s.
  setTimeout(() => process.exit(1), 5000).unref();
  removeLocalStackFile(process.pid, writtenFile);
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// The terminal closed.
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// Whoever started us (npm, which forwards SIGINT and SIGTERM but cannot forward a SIGKILL; a
// process manager; a shell) gone without a word: we are adopted, our parent's pid changes, and we
// stop too, so no stack keeps serving after what started it has ended.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart)
    void shutdown(`the process that started npm start (${parentAtStart}) ended`);
}, 1000).unref();
