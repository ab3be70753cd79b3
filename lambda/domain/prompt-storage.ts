import { holdsBigInt } from './exact-json';

/**
 * True when a value holds a number a DynamoDB record cannot keep as sent: a 64-bit integer
 * (the document client reads numbers back as JavaScript numbers, rounded), a number past 2^53-1
 * in any form (`1e16`: the document client refuses to write it), or one nearer zero than 1e-130
 * (DynamoDB's underflow). Such values travel in the staged request in S3, whose text is exact.
 */
export function holdsNumberRecordsCannotKeep(value: unknown): boolean {
  if (typeof value === 'number') return !recordKeeps(value);
  if (value === null || typeof value !== 'object') return holdsBigInt(value);
  return Object.values(value).some(holdsNumberRecordsCannotKeep);
}

/** DynamoDB refuses a non-zero number smaller than this in magnitude (underflow). */
export const SMALLEST_RECORD_NUMBER = 1e-130;

const recordKeeps = (value: number) =>
  Number.isFinite(value) &&
  Math.abs(value) <= Number.MAX_SAFE_INTEGER &&
  (value === 0 || Math.abs(value) >= SMALLEST_RECORD_NUMBER);

/**
 * A copy a record can hold, for what is only shown (an error ComfyUI answered may quote the value
 * it refused, 1e300 or a 64-bit integer): such numbers become their text. Written as they are,
 * the write would fail (past 2^53-1) and the record never complete.
 */
export function withNumbersRecordsKeep(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return recordKeeps(value) ? value : String(value);
  if (Array.isArray(value)) return value.map(withNumbersRecordsKeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, withNumbersRecordsKeep(inner)]),
  );
}

/**
 * DynamoDB caps an item at 400 KB and nesting at 32 levels. A prompt beyond either stays only
 * in the staged request object in S3 and the record keeps a pointer (prompt_path).
 * The byte limit leaves room for the rest of the record.
 */
export const DEFAULT_MAX_INLINE_PROMPT_BYTES = 300_000;
const MAX_INLINE_DEPTH = 28;

function depthOf(value: unknown, limit: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit <= 0) return Number.POSITIVE_INFINITY;
  let deepest = 0;
  for (const inner of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(inner, limit - 1));
    if (deepest === Number.POSITIVE_INFINITY) break;
  }
  return deepest + 1;
}

export function fitsInline(prompt: unknown, maxBytes: number): boolean {
  return (
    !holdsNumberRecordsCannotKeep(prompt) &&
    new TextEncoder().encode(JSON.stringify(prompt)).length <= maxBytes &&
    depthOf(prompt, MAX_INLINE_DEPTH) <= MAX_INLINE_DEPTH
  );
}
