import { type ComfyError, comfyError } from '../comfy-errors';

/**
 * ComfyUI's INT and FLOAT checks on a literal value: it must convert (a numeric string does, as
 * in Python), and lie within the input's min and max. An integer past 2^53-1 (a 64-bit seed,
 * parsed as BigInt) is compared exactly.
 */
const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

export function numberErrors(
  name: string,
  value: unknown,
  type: 'INT' | 'FLOAT',
  options: Record<string, unknown>,
  extra: Record<string, unknown>,
): ComfyError[] {
  if (typeof value === 'bigint') return bigIntegerErrors(name, value, options, extra);
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(number) || (type === 'INT' && !Number.isInteger(number))) {
    return [
      comfyError(
        'invalid_input_type',
        `Failed to convert an input ${name} value to a ${type} value`,
        `${name}, ${String(value)}`,
        extra,
      ),
    ];
  }
  // An INT as Python's int() makes it (a numeric string's digits, a float's exact value), so that
  // "18446744073709551616" or 1.8446744073709552e19 meets the 64-bit bound as the bare integer does.
  if (type === 'INT') {
    const digits = typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value);
    return bigIntegerErrors(
      name,
      digits ? BigInt(value.trim().replace(/^\+/, '')) : BigInt(number),
      options,
      extra,
    );
  }
  // Bounds beyond 2^53 (seed max 2^64-1) do not survive JSON parsing: never compare against them.
  const min =
    typeof options.min === 'number' && Math.abs(options.min) <= SAFE_BOUND ? options.min : undefined;
  const max =
    typeof options.max === 'number' && Math.abs(options.max) <= SAFE_BOUND ? options.max : undefined;
  if (min !== undefined && number < min)
    return [comfyError('value_smaller_than_min', `Value ${number} smaller than min of ${min}`, name, extra)];
  if (max !== undefined && number > max)
    return [comfyError('value_bigger_than_max', `Value ${number} bigger than max of ${max}`, name, extra)];
  return [];
}

/**
 * Bounds past 2^53 reach us through JSON.parse, so only as the nearest double. ComfyUI's are
 * Python's 0xffffffffffffffff (every seed's max) and ±sys.maxsize (PrimitiveInt's), which arrive
 * as 2^64 and ±2^63: they are taken back to what the server checks. Other unsafe bounds are
 * taken as their double (ComfyUI's own check at the endpoint still applies).
 */
const PYTHON_BOUNDS = new Map<number, bigint>([
  [2 ** 64, 0xffffffffffffffffn],
  [2 ** 63, 2n ** 63n - 1n],
  [-(2 ** 63), -(2n ** 63n - 1n)],
]);

export function exactBound(bound: unknown): bigint | undefined {
  if (typeof bound === 'bigint') return bound;
  if (typeof bound !== 'number' || !Number.isInteger(bound)) return undefined;
  return PYTHON_BOUNDS.get(bound) ?? BigInt(bound);
}

/** An integer (a 64-bit seed past 2^53-1 included), checked against the input's bounds exactly. */
function bigIntegerErrors(
  name: string,
  value: bigint,
  options: Record<string, unknown>,
  extra: Record<string, unknown>,
): ComfyError[] {
  const min = exactBound(options.min);
  const max = exactBound(options.max);
  if (min !== undefined && value < min)
    return [comfyError('value_smaller_than_min', `Value ${value} smaller than min of ${min}`, name, extra)];
  if (max !== undefined && value > max)
    return [comfyError('value_bigger_than_max', `Value ${value} bigger than max of ${max}`, name, extra)];
  return [];
}
