import { createHash } from 'node:crypto';
import { NEVER, type z } from 'zod';

/** A key's id on the local stack: `key-` and 12 hex digits of its SHA-256 (API Gateway's is its own). */
export function apiKeyId(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

const LOCAL_KEY_ID = /^key-[0-9a-f]{12}$/;

/**
 * The usage settings as the functions read them (key ids, JSON), from `npm start`'s, which may
 * name a key by its value or by its id (GET /usage shows ids). A setting that names no key of this
 * stack, or a price for no instance type it runs, changes nothing: it is said, not ignored silently.
 */
export function localUsageEnv(
  options: {
    apiKeys: readonly string[];
    operatorKeys?: readonly string[];
    gpuSecondsPerDay?: Record<string, number>;
    pricePerHour?: Record<string, number>;
  },
  instanceType: string,
  warn: (line: string) => void,
) {
  const ids = new Set(options.apiKeys.map(apiKeyId));
  const idOf = (key: string, setting: string) => {
    const id = key === '*' ? key : LOCAL_KEY_ID.test(key) ? key : apiKeyId(key);
    if (id !== '*' && !ids.has(id))
      warn(
        `${setting} names ${LOCAL_KEY_ID.test(key) ? key : 'a key'} that is none of API_KEYS (values or key-… ids): it applies to no key`,
      );
    return id;
  };
  const prices = options.pricePerHour ?? {};
  if (Object.keys(prices).length > 0 && !(instanceType in prices))
    warn(
      `PRICE_PER_HOUR names no ${instanceType}, the type the local endpoints run on: no cost is estimated`,
    );
  return {
    OPERATOR_KEYS: (options.operatorKeys ?? options.apiKeys.slice(0, 1))
      .map((key) => idOf(key, 'OPERATOR_KEYS'))
      .join(','),
    GPU_SECONDS_PER_DAY: JSON.stringify(
      Object.fromEntries(
        Object.entries(options.gpuSecondsPerDay ?? {}).map(([key, seconds]) => [
          idOf(key, 'GPU_SECONDS_PER_DAY'),
          seconds,
        ]),
      ),
    ),
    PRICE_PER_HOUR: JSON.stringify(prices),
  };
}

/** A JSON object of numbers (GPU_SECONDS_PER_DAY, PRICE_PER_HOUR), or an issue naming the shape. */
export function jsonRecordOf(text: string | undefined, ctx: z.RefinementCtx, shape: string) {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((n) => typeof n === 'number' && n >= 0)
    )
      return value as Record<string, number>;
  } catch {
    // named below
  }
  ctx.addIssue({ code: 'custom', message: `must be JSON ${shape}` });
  return NEVER;
}
