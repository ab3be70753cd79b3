import { z } from 'zod';
import { parseWebhookSpec } from '../../lambda/domain/webhooks/webhook-spec';

/**
 * The deployment's settings, read from CDK context (`cdk.json` "context" or `-c key=value`),
 * every key prefixed `comfy-exec:`. Defaults are documented in README "Deploy".
 */
const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * A list setting as any of its three spellings: a JSON array in cdk.json, `-c key=a,b`, or
 * `-c 'key=["a","b"]'` (the CLI hands `-c` values to the app as strings).
 */
function listItems(value: string | string[], ctx: z.RefinementCtx): string[] {
  let items: unknown = value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      items = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'starts with [ but is not a JSON list of strings' });
      return z.NEVER;
    }
  }
  if (typeof items === 'string') items = items.split(',');
  if (!Array.isArray(items) || items.some((item) => typeof item !== 'string')) {
    ctx.addIssue({ code: 'custom', message: 'is not a list of names' });
    return z.NEVER;
  }
  return (items as string[]).map((item) => item.trim()).filter(Boolean);
}

/** A setting given as JSON text (`-c key='{…}'`) parsed, anything else passed on; bad JSON named. */
function jsonText(expected: string) {
  return (value: unknown, ctx: z.RefinementCtx): unknown => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `is not JSON: expected ${expected}` });
      return z.NEVER;
    }
  };
}

export const StageConfigSchema = z
  .object({
    /** Prefix of physical names (the payload bucket's), so that two deployments can share an account. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/)
      .default('comfy-exec'),
    /**
     * An endpoint image you publish yourself (see container/README.md). Default: `cdk deploy`
     * builds container/Dockerfile and publishes it as an image asset.
     */
    imageUri: z.string().min(1).optional(),
    /** Route to an endpoint that already exists instead of creating one. */
    existingEndpointName: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/)
      .max(63)
      .optional(),
    /** Name of the endpoint this stack creates. */
    endpointName: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/)
      .max(63)
      .default('comfy-async-main'),
    instanceType: z
      .string()
      .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/)
      .default('ml.g5.xlarge'),
    minInstances: int(0, 100, 0),
    maxInstances: int(1, 100, 1),
    maxConcurrentInvocationsPerInstance: int(1, 1000, 1),
    /** Optional model artifact (tar.gz of ComfyUI's models folder layout), unpacked to /opt/ml/model. */
    modelDataUrl: z
      .string()
      .regex(/^s3:\/\/[^/]+\/.+/)
      .optional(),
    requestTtlSeconds: int(60, 21_600, 21_600),
    invocationTimeoutSeconds: int(60, 3600, 3600),
    /** Records (DynamoDB TTL) and their S3 objects (lifecycle) expire after this many days. */
    retentionDays: int(1, 3650, 30),
    presignTtlSeconds: int(60, 604_800, 3600),
    throttleRateLimit: int(1, 10_000, 50),
    throttleBurstLimit: int(1, 5000, 100),
    quotaPerDay: int(1, 100_000_000, 10_000),
    logRetentionDays: int(1, 3653, 30),
    sweepIntervalMinutes: int(1, 60, 5),
    /**
     * Buckets (comma-separated, or a JSON list) whose objects executes may name as `s3://` inputs
     * or `need_prepare` sources; the caller's own uploaded inputs are always readable.
     */
    inputBuckets: z
      .union([z.string(), z.array(z.string())])
      .transform(listItems)
      .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not an S3 bucket name')))
      .default([]),
    /**
     * API key ids (comma-separated, or a JSON list) that may add and delete models in the library;
     * every key may list it. Empty: nobody writes through the API.
     */
    modelWriters: z
      .union([z.string(), z.array(z.string())])
      .transform(listItems)
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9]+$/, 'is not an API key id')))
      .default([]),
    /**
     * API key ids (comma-separated, or a JSON list) that may read every key's usage (GET /usage
     * with `key`). Empty: each key reads only its own.
     */
    operatorKeys: z
      .union([z.string(), z.array(z.string())])
      .transform(listItems)
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9]+$/, 'is not an API key id')))
      .default([]),
    /**
     * GPU seconds an API key may use per UTC day: `{"<key id>": 3600, "*": 600}` (or that as a JSON
     * string; `*` is every key not named). Past it CreateExecute answers 429 until the day ends.
     */
    gpuSecondsPerDay: z
      .unknown()
      .transform(jsonText('{"<API key id>" or "*": seconds}'))
      .pipe(
        z.record(
          z.string().regex(/^([A-Za-z0-9]+|\*)$/, 'is not an API key id or *'),
          z
            .number()
            .int()
            .min(1)
            .max(86_400 * 100),
        ),
      )
      .default({}),
    /**
     * What an hour of each instance type costs you: `{"ml.g5.xlarge": 1.408}` (or that as a JSON
     * string). GET /usage estimates each row's cost from it; no price is assumed for a type not named.
     */
    pricePerHour: z
      .unknown()
      .transform(jsonText('{"ml.g5.xlarge": 1.408}'))
      .pipe(
        z.record(
          z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'is not an instance type'),
          z.number().min(0),
        ),
      )
      .default({}),
    /** The currency pricePerHour is in, as GET /usage names it. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'is not a currency code (ISO 4217)')
      .default('USD'),
    /** Disk each endpoint instance may fill with library models (least recently used are evicted). */
    modelCacheBytes: z.coerce
      .number()
      .int()
      .min(1024 ** 3)
      .default(100 * 1024 ** 3),
    /**
     * A webhook for every execute an API key creates without one: `{"<key id>": {"url", "events"?}}`
     * (or that as a JSON string). Checked here as CreateExecute checks a webhook: https, known events.
     */
    defaultWebhooks: z
      .unknown()
      .transform(jsonText('{"<API key id>": {"url": "https://…"}}'))
      .pipe(
        z.record(
          z.string().regex(/^[A-Za-z0-9]+$/, 'is not an API key id'),
          z.unknown().transform((value, ctx) => {
            const parsed = parseWebhookSpec((value ?? {}) as { url?: unknown; events?: unknown }, {
              httpsOnly: true,
            });
            if ('problem' in parsed) {
              ctx.addIssue({ code: 'custom', message: parsed.problem });
              return z.NEVER;
            }
            return parsed.spec;
          }),
        ),
      )
      .default({}),
    /**
     * Node classes allowed to read or write server paths, per endpoint: `{"<endpoint name>":
     * ["LoadImageDataSetFromFolder", …]}` (or that as a JSON string). Every endpoint is shared by
     * all API keys, so the default allows none (lambda/domain/inputs/path-inputs.ts lists them).
     */
    allowNodes: z
      .unknown()
      .transform(jsonText('{"<endpoint name>": ["NodeClass"]}'))
      .pipe(
        z.record(
          z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, 'is not an endpoint name'),
          z.array(z.string().regex(/^[^\s,]+( [^\s,]+)*$/, 'is not a node class name')),
        ),
      )
      .default({}),
    /** Executes one API key may have created or running at once (CreateExecute answers 429 past it). */
    maxUnfinishedPerKey: z.coerce.number().int().min(1).max(1_000_000).default(100),
    /** Creates one API key may have holding their caller (`wait`) at once; past it they answer at once (0: never wait). */
    maxWaitingPerKey: z.coerce.number().int().min(0).max(10_000).default(10),
    /** Websocket connections one API key may hold open at once (`$connect` answers 429 past it). */
    maxConnectionsPerKey: z.coerce.number().int().min(1).max(100_000).default(20),
    /** Alarm notifications go to this address when set. */
    alarmEmail: z.email().optional(),
    /** What deleting the stacks does to the table and bucket. */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
  })
  .refine((config) => config.maxInstances >= config.minInstances, {
    message: 'maxInstances must be ≥ minInstances',
    path: ['maxInstances'],
  })
  // The deployment's own buckets hold every key's requests, inputs and outputs (and their access
  // logs): opening them as input buckets would let any key read any other's files.
  .refine(
    (config) =>
      !config.inputBuckets.some(
        (bucket) => bucket.startsWith(`${config.name}-payloads-`) || bucket.startsWith('comfyexecdata-'),
      ),
    {
      message:
        "must not name this deployment's own payload or access-log bucket (it holds every key's files)",
      path: ['inputBuckets'],
    },
  );

export type StageConfig = z.infer<typeof StageConfigSchema>;

export const CONTEXT_PREFIX = 'comfy-exec:';

/** The stage config from a context lookup; errors name the context key. */
/** A deployment setting that cannot be used: the message names the `comfy-exec:` key. */
export class ContextError extends Error {
  override name = 'ContextError';
}

/** Edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * `contextKeys`: every context key the app was given, so that a misspelt `comfy-exec:` key is an
 * error rather than a setting silently left at its default.
 */
export function readStageConfig(
  tryGetContext: (key: string) => unknown,
  contextKeys: readonly string[] = [],
): StageConfig {
  const known = Object.keys(StageConfigSchema.shape);
  const unknown = contextKeys
    .filter((key) => key.startsWith(CONTEXT_PREFIX))
    .map((key) => key.slice(CONTEXT_PREFIX.length))
    .filter((key) => !known.includes(key));
  if (unknown.length > 0)
    throw new ContextError(
      `unknown CDK context: ${unknown
        .map((key) => {
          const near = known.find((name) => distance(name.toLowerCase(), key.toLowerCase()) <= 2);
          return `${CONTEXT_PREFIX}${key}${near ? ` (did you mean ${CONTEXT_PREFIX}${near}?)` : ''}`;
        })
        .join(', ')}; the settings are listed in README "Context keys"`,
    );
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(StageConfigSchema.shape)) {
    const value = tryGetContext(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = StageConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ContextError(
      `invalid CDK context: ${parsed.error.issues.map((i) => `${CONTEXT_PREFIX}${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** The endpoint name the control plane routes to. */
export function routedEndpointName(config: StageConfig): string {
  return config.existingEndpointName ?? config.endpointName;
}

/**
 * The payload bucket's name, known before deployment so that every stack (and every IAM
 * statement) names it as a plain string: `{name}-payloads-{account}-{region}`.
 */
export function payloadBucketName(
  config: Pick<StageConfig, 'name'>,
  account: string,
  region: string,
): string {
  return `${config.name}-payloads-${account}-${region}`;
}
