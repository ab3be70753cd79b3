// zod/mini: every function parses its environment, and most need nothing else from zod, so
// the tree-shakable API keeps ~70 KB of zod classic out of their bundles.

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { HttpHandlerName } from '../http/route-table';

// zod/mini ships without messages ("Invalid input"); a cold-start failure should say what is wrong.
z.config(en());

// Builders, not schemas: a cold start builds its own function's schema, not all thirty-odd.

/** `a, b,,c` → `['a', 'b', 'c']`. */
const splitList = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
const csv = () =>
  z
    .pipe(z.string(), z.transform(splitList))
    .check(z.refine((names: string[]) => names.length > 0, 'must name at least one endpoint'));
const boolish = () =>
  z.pipe(
    z._default(z.enum(['true', 'false', '1', '0', '']), 'false'),
    z.transform((v) => v === 'true' || v === '1'),
  );
const int = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);
const nonEmpty = () => z.string().check(z.minLength(1));

/** What every function gets; ESD_VERSION feeds `x-api-version`, URL_SUFFIX the console domain. */
const baseEnv = () =>
  z.object({
    AWS_REGION: z._default(z.string(), 'us-east-1'),
    ESD_VERSION: z._default(z.string(), '1.7.0'),
    URL_SUFFIX: z._default(z.string(), 'amazonaws.com'),
  });

const bucketEnv = () =>
  z.extend(baseEnv(), {
    BUCKET_NAME: nonEmpty(),
    /** s3rver and other emulators need path-style addressing. */
    S3_FORCE_PATH_STYLE: boolish(),
  });

const dataEnv = () => z.extend(bucketEnv(), { TABLE_NAME: nonEmpty() });

/** A comma-separated list, empty when unset. */
const optionalCsv = () => z.pipe(z._default(z.string(), ''), z.transform(splitList));

/** The API key ids that may change the model library (none by default). */
const modelWritersEnv = () => ({ MODEL_WRITERS: optionalCsv() });

/** Model sources: a gated host's token is the secret `{prefix}{host}`; loopback http is the local stack's. */
const modelSourceEnv = () => ({
  MODEL_SOURCE_TOKEN_PREFIX: z._default(z.string(), 'comfy-exec/model-sources/'),
  ALLOW_LOCAL_MODEL_SOURCES: boolish(),
});

/** Uploaded inputs live as long as the bucket's lifecycle keeps objects. */
const inputsEnv = () => ({ RETENTION_DAYS: int(1, 3650, 30) });

const endpointsEnv = () => ({
  /** Comma-separated SageMaker endpoint names this deployment may invoke; the first is the default. */
  ENDPOINT_NAMES: csv(),
  DEFAULT_ENDPOINT_NAME: z.optional(z.string()),
});

const signingEnv = () => ({ PRESIGN_TTL_SECONDS: int(1, 604_800, 3600) });

/** The websocket's connections, and where messages are posted to them (API Gateway's `@connections`). */
const socketEnv = () => ({
  CONNECTIONS_TABLE_NAME: nonEmpty(),
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`; the local gateway's own URL locally. */
  WEBSOCKET_CALLBACK_URL: z.url(),
});

/** What creating an execute needs (CreateExecute, and POST /comfyui/prompt). */
const createEnv = () => ({
  ...endpointsEnv(),
  REQUEST_TTL_SECONDS: int(60, 21_600, 21_600),
  INVOCATION_TIMEOUT_SECONDS: int(1, 3600, 3600),
  RETENTION_DAYS: int(1, 3650, 30),
  MAX_INLINE_PROMPT_BYTES: int(1024, 350_000, 300_000),
  MAX_PROMPT_NODES: int(1, 100_000, 5000),
  /** Buckets besides the caller's own inputs prefix that `s3://` inputs may name (comma-separated). */
  INPUT_BUCKETS: optionalCsv(),
  /** Local stack only: http:// and loopback input URLs, for test servers on the same machine. */
  ALLOW_LOOPBACK_INPUT_URLS: boolish(),
  /** Local stack only: webhooks to http:// and loopback receivers on the same machine. */
  ALLOW_LOCAL_WEBHOOKS: boolish(),
  /** JSON `{"<key id>": {url, events}}`: the webhook of executes a key creates without one. */
  DEFAULT_WEBHOOKS: z._default(z.string(), '{}'),
  /** JSON `{"<endpoint>": ["NodeClass"]}`: classes that may read or write server paths there (context allowNodes). */
  ALLOW_NODES: z._default(z.string(), '{}'),
  /** Executes one API key may have created or running at once (context maxUnfinishedPerKey). */
  MAX_UNFINISHED_PER_KEY: int(1, 1_000_000, 100),
  /** Creates one API key may have holding their caller (`wait`) at once (context maxWaitingPerKey). */
  MAX_WAITING_PER_KEY: int(0, 10_000, 10),
});

/**
 * The Secrets Manager secret holding the key browser tokens are sealed with (GET /comfyui/token
 * creates it on first use), and how long a container keeps it.
 */
const tokenEnv = () => ({
  BROWSER_TOKEN_KEY_SECRET: nonEmpty(),
  BROWSER_TOKEN_KEY_CACHE_SECONDS: int(0, 3600, 300),
});

/** Where webhook deliveries wait (an SQS FIFO queue) and each owner's signing secrets live. */
const webhookEnv = () => ({
  WEBHOOK_QUEUE_URL: z.url(),
  WEBHOOK_SECRET_PREFIX: nonEmpty(),
});

/** The usage table: finishing an execute adds to its owner's row there (lambda/adapters/usage-table.ts). */
const usageEnv = () => ({ USAGE_TABLE_NAME: nonEmpty() });

/** JSON `{"<key id>" | "*": seconds}`: GPU seconds a key may use per UTC day (context gpuSecondsPerDay). */
const usageCapEnv = () => ({ ...usageEnv(), GPU_SECONDS_PER_DAY: z._default(z.string(), '{}') });

const ENV_BUILDERS = {
  /** signingEnv: a create that waits answers a finished execute with its files' signed URLs. */
  'create-execute': () => z.extend(dataEnv(), { ...createEnv(), ...signingEnv(), ...usageCapEnv() }),
  /** ComfyUI's own routes under /comfyui/: creates, reads, cancels and signs like the executes API. */
  'comfyui-api': () =>
    z.extend(dataEnv(), {
      ...createEnv(),
      ...signingEnv(),
      ...tokenEnv(),
      ...usageCapEnv(),
      /** Where ComfyUI's websocket is, told to clients that ask the REST API for /comfyui/ws. */
      COMFYUI_WEBSOCKET_URL: z.optional(z.url()),
    }),
  /** GET /comfyui/t/{token}/view: ComfyUI's /view for browsers, the owner taken from a browser token. */
  'comfyui-token-view': () => z.extend(dataEnv(), { ...signingEnv(), ...inputsEnv(), ...tokenEnv() }),
  'create-input': () =>
    z.extend(bucketEnv(), {
      ...inputsEnv(),
      /** Largest input accepted; ComfyUI's own upload limit is 100 MiB. */
      MAX_INPUT_BYTES: int(1, 5 * 1024 ** 3, 100 * 1024 ** 2),
      UPLOAD_URL_TTL_SECONDS: int(60, 604_800, 900),
    }),
  'list-inputs': () => z.extend(bucketEnv(), inputsEnv()),
  'start-model-upload': () =>
    z.extend(bucketEnv(), {
      ...modelWritersEnv(),
      /** Largest model accepted (S3 allows 10,000 parts; parts grow to fit). */
      MAX_MODEL_BYTES: int(1, 5 * 1024 ** 4, 30 * 1024 ** 3),
      /** Part URLs must outlive the slowest upload of the largest model. */
      MODEL_UPLOAD_URL_TTL_SECONDS: int(300, 604_800, 21_600),
      /** Preferred part size; S3 takes 5 MiB to 5 GiB. */
      MODEL_PART_BYTES: int(5 * 1024 ** 2, 5 * 1024 ** 3, 64 * 1024 ** 2),
      ...modelSourceEnv(),
      /** Where an import's part jobs wait (POST /models with `source`); unset, imports are refused. */
      MODEL_IMPORT_QUEUE_URL: z.optional(z.url()),
      /** The probe of a source URL, inside API Gateway's 29 s. */
      MODEL_PROBE_TIMEOUT_MS: int(1000, 25_000, 10_000),
    }),
  'complete-model-upload': () => z.extend(bucketEnv(), modelWritersEnv()),
  /** The model imports' queue: one part fetched and uploaded, or the import finished, per message. */
  'import-model': () =>
    z.extend(bucketEnv(), {
      ...modelSourceEnv(),
      MODEL_IMPORT_QUEUE_URL: z.url(),
      /** One part's download (64 MiB by default) from the first byte to the last. */
      MODEL_PART_TIMEOUT_MS: int(10_000, 840_000, 600_000),
      /** Receives of one job before its import is failed with the last error. */
      MODEL_IMPORT_ATTEMPTS: int(1, 100, 5),
      /** The first retry's wait, doubled each time (the local stack's is shorter, for trying failures). */
      MODEL_IMPORT_RETRY_SECONDS: int(0, 900, 15),
    }),
  'list-models': bucketEnv,
  /** ESD's /schemas: templates on the payload bucket, typed by each endpoint's node catalog. */
  templates: () => z.extend(bucketEnv(), { ...endpointsEnv(), MAX_PROMPT_NODES: int(1, 100_000, 5000) }),
  'prepare-endpoint': () =>
    z.extend(bucketEnv(), {
      ...endpointsEnv(),
      ...modelWritersEnv(),
      ...inputsEnv(),
      INPUT_BUCKETS: optionalCsv(),
    }),
  'get-prepare': () => z.extend(baseEnv(), endpointsEnv()),
  /** GET /webhooks/secret and its rotation: the caller's signing secrets. */
  'webhook-secret': () => z.extend(baseEnv(), { WEBHOOK_SECRET_PREFIX: nonEmpty() }),
  'delete-model': () => z.extend(bucketEnv(), modelWritersEnv()),
  'delete-input': () => z.extend(bucketEnv(), inputsEnv()),
  'get-execute': () => z.extend(dataEnv(), signingEnv()),
  'list-executes': () => z.extend(dataEnv(), signingEnv()),
  'delete-executes': () => z.extend(dataEnv(), usageEnv()),
  'cancel-execute': () => z.extend(dataEnv(), usageEnv()),
  /**
   * GET /usage: the usage table, the keys that may read every key's (context operatorKeys), and
   * what an hour of each instance type costs (context pricePerHour) for the estimate.
   */
  'get-usage': () =>
    z.extend(baseEnv(), {
      ...usageEnv(),
      OPERATOR_KEYS: optionalCsv(),
      /** JSON `{"<instance type>": price per hour}`. */
      PRICE_PER_HOUR: z._default(z.string(), '{}'),
      CURRENCY: z._default(z.string(), 'USD'),
      /** JSON `{"<endpoint>": "<instance type>"}`: the deployment's endpoints. */
      ENDPOINT_INSTANCE_TYPES: z._default(z.string(), '{}'),
    }),
  'get-execute-logs': () => z.extend(dataEnv(), { LOG_QUERY_MAX_WAIT_MS: int(1000, 25_000, 20_000) }),
  'list-endpoints': () =>
    z.extend(baseEnv(), {
      ...endpointsEnv(),
      MIN_INSTANCES: int(0, 100, 0),
      MAX_INSTANCES: int(0, 100, 1),
      /** JSON `{"<endpoint>": [min, max]}`: each environment's own scaling (environments/{name}.json). */
      ENDPOINT_SCALING: z._default(z.string(), '{}'),
    }),
  /**
   * ESD's /workflows: the deployment's environments, JSON `[{name, endpoint_name, image_uri,
   * payload_json}]` (environments/{name}.json, as deployed).
   */
  workflows: () => z.extend(baseEnv(), { ...endpointsEnv(), WORKFLOWS: z._default(z.string(), '[]') }),
  /** GET /, /ping, and GET /about, which tells clients what the stack outputs would (the API URL is all they need). */
  health: () =>
    z.extend(baseEnv(), {
      ...endpointsEnv(),
      COMFYUI_WEBSOCKET_URL: z.optional(z.url()),
      CONSOLE_URL: z.optional(z.url()),
    }),
  'api-doc': baseEnv,
  'on-async-result': () => z.extend(dataEnv(), usageEnv()),
  sweeper: () =>
    z.extend(dataEnv(), {
      ...usageEnv(),
      SWEEP_GRACE_SECONDS: int(0, 86_400, 120),
      SWEEP_BATCH_SIZE: int(1, 1000, 200),
    }),
  /** The executes table's stream → a delivery on the webhook queue for each event fired. */
  'dispatch-webhooks': () => z.extend(baseEnv(), { WEBHOOK_QUEUE_URL: z.url() }),
  /** The webhook queue → one signed POST per delivery, retried with backoff, then the DLQ. */
  'deliver-webhooks': () =>
    z.extend(dataEnv(), {
      ...signingEnv(),
      ...webhookEnv(),
      WEBHOOK_DEAD_LETTER_URL: z.url(),
      ALLOW_LOCAL_WEBHOOKS: boolish(),
      WEBHOOK_TIMEOUT_MS: int(1000, 30_000, 10_000),
      WEBHOOK_RETRY_BASE_SECONDS: int(1, 3600, 10),
      WEBHOOK_RETRY_MAX_SECONDS: int(1, 43_200, 3600),
      WEBHOOK_RETRY_WINDOW_SECONDS: int(1, 1_209_600, 86_400),
      /** How long a container keeps an owner's signing secrets (0: read them on every attempt). */
      WEBHOOK_SECRET_CACHE_SECONDS: int(0, 3600, 60),
    }),
  /** ComfyUI's websocket (API Gateway WebSocket API): $connect, $disconnect and client messages. */
  'comfyui-socket': () =>
    z.extend(baseEnv(), {
      ...socketEnv(),
      /** Websocket connections one API key may hold open at once (context maxConnectionsPerKey). */
      MAX_CONNECTIONS_PER_KEY: int(1, 100_000, 20),
    }),
  /** The websocket's `$connect` authorizer: the x-api-key header, or a browser token's key, for API Gateway to check. */
  'comfyui-socket-authorizer': () => z.extend(baseEnv(), tokenEnv()),
  /** The executes and connections tables' streams, told to the websockets. */
  // BUCKET_NAME: outputs too large for the record are read back for `executed` (relay-execute-changes.ts).
  'comfyui-events': () => z.extend(dataEnv(), socketEnv()),
} satisfies Record<HttpHandlerName | 'on-async-result' | 'sweeper' | SocketFunction, () => z.ZodMiniObject>;

type EnvSchemas = { readonly [N in keyof typeof ENV_BUILDERS]: ReturnType<(typeof ENV_BUILDERS)[N]> };

/**
 * Each function's environment, parsed once at cold start; the CDK constructs are typed by the same
 * schemas. Each is built on first read (and then kept), so a function builds only its own.
 */
export const FUNCTION_ENV = {} as EnvSchemas;
for (const [name, build] of Object.entries(ENV_BUILDERS)) {
  let schema: z.ZodMiniObject | undefined;
  Object.defineProperty(FUNCTION_ENV, name, { enumerable: true, get: () => (schema ??= build()) });
}

type SocketFunction =
  | 'comfyui-socket'
  | 'comfyui-socket-authorizer'
  | 'comfyui-events'
  | 'dispatch-webhooks'
  | 'deliver-webhooks'
  | 'import-model';

export type FunctionName = keyof typeof FUNCTION_ENV;
export type FunctionEnv<N extends FunctionName> = z.infer<(typeof FUNCTION_ENV)[N]>;
/** What a deployment must set for function N (defaults may be left out). */
export type FunctionEnvInput<N extends FunctionName> = z.input<(typeof FUNCTION_ENV)[N]>;

const parsed = new Map<FunctionName, unknown>();

/** The function's environment, validated once; a missing or bad variable fails with its name. */
export function functionEnv<N extends FunctionName>(
  name: N,
  source: Record<string, string | undefined> = process.env,
): FunctionEnv<N> {
  if (!parsed.has(name)) {
    const result = z.safeParse(FUNCTION_ENV[name], source);
    if (!result.success) {
      const problems = result.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      throw new Error(`environment of ${name} is invalid: ${problems}`);
    }
    parsed.set(name, result.data);
  }
  return parsed.get(name) as FunctionEnv<N>;
}

/** Tests and the local stack re-read the environment after changing it. */
export function resetParsedEnv(): void {
  parsed.clear();
}
