import { holdsBigInt } from './exact-json';

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
    // DynamoDB's document client reads a number back as a JavaScript number: a 64-bit seed
    // would come back rounded. Such a prompt is read from S3, where its text is exact.
    !holdsBigInt(prompt) &&
    new TextEncoder().encode(JSON.stringify(prompt)).length <= maxBytes &&
    depthOf(prompt, MAX_INLINE_DEPTH) <= MAX_INLINE_DEPTH
  );
}
