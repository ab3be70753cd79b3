// Named imports: the z namespace defeats tree-shaking (zod's whole 450 KB lands in every bundle).
import type { z } from 'zod';
import { coerce, array as zArray, enum as zEnum, object as zObject, string as zString } from 'zod';
import type { HttpHandlerName } from '../http/route-table';

const csv = zString()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  )
  .pipe(zArray(zString()).min(1, 'must name at least one endpoint'));
const boolish = zEnum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number, fallback: number) =>
  coerce.number().int().min(min).max(max).default(fallback);

/** What every function gets; ESD_VERSION feeds `x-api-version`, URL_SUFFIX the console domain. */
const BaseEnv = zObject({
  AWS_REGION: zString().default('us-east-1'),
  ESD_VERSION: zString().default('1.7.0'),
  URL_SUFFIX: zString().default('amazonaws.com'),
});

const DataEnv = BaseEnv.extend({
  TABLE_NAME: zString().min(1),
  BUCKET_NAME: zString().min(1),
  /** s3rver and other emulators need path-style addressing. */
  S3_FORCE_PATH_STYLE: boolish,
});

const EndpointsEnv = zObject({
  /** Comma-separated SageMaker endpoint names this deployment may invoke; the first is the default. */
  ENDPOINT_NAMES: csv,
  DEFAULT_ENDPOINT_NAME: zString().optional(),
});

const SigningEnv = zObject({ PRESIGN_TTL_SECONDS: int(1, 604_800, 3600) });

/** Each function's environment, parsed once at cold start; the CDK constructs are typed by the same schemas. */
export const FUNCTION_ENV = {
  'create-execute': DataEnv.extend(EndpointsEnv.shape).extend({
    REQUEST_TTL_SECONDS: int(60, 21_600, 21_600),
    INVOCATION_TIMEOUT_SECONDS: int(1, 3600, 3600),
    RETENTION_DAYS: int(1, 3650, 30),
    MAX_INLINE_PROMPT_BYTES: int(1024, 350_000, 300_000),
    MAX_PROMPT_NODES: int(1, 100_000, 5000),
  }),
  'get-execute': DataEnv.extend(SigningEnv.shape),
  'list-executes': DataEnv.extend(SigningEnv.shape),
  'delete-executes': DataEnv,
  'cancel-execute': DataEnv,
  'get-execute-logs': DataEnv.extend({ LOG_QUERY_MAX_WAIT_MS: int(1000, 25_000, 20_000) }),
  'list-endpoints': BaseEnv.extend(EndpointsEnv.shape).extend({
    MIN_INSTANCES: int(0, 100, 0),
    MAX_INSTANCES: int(0, 100, 1),
  }),
  health: BaseEnv,
  'api-doc': BaseEnv,
  'on-async-result': DataEnv,
  sweeper: DataEnv.extend({ SWEEP_GRACE_SECONDS: int(0, 86_400, 120), SWEEP_BATCH_SIZE: int(1, 1000, 200) }),
} satisfies Record<HttpHandlerName | 'on-async-result' | 'sweeper', z.ZodObject>;

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
    const result = FUNCTION_ENV[name].safeParse(source);
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
