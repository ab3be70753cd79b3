/**
 * Integers past 2^53 (ComfyUI's seeds go to 2^64-1) are rounded by JSON.parse and by Number().
 * The console keeps such a value as a BigInt from the file it reads to the request it sends: read
 * with the client's exact JSON codec, edited as text, and sent as the same digits (the client
 * writes every request with that codec), so the prompt carries exactly what the person saw.
 */
import { exactJsonText } from '@comfy-exec/client';

export { parseExactJson } from '@comfy-exec/client';

export type Exact = number | bigint;

/** JSON text for display: BigInts as their digits. */
export const exactJson = (value: unknown): string | undefined =>
  value === undefined ? undefined : exactJsonText(value);

/** An integer typed as text: a safe one as a number, a larger one as a BigInt; undefined if not an integer. */
export function parseInteger(text: string): Exact | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const big = BigInt(trimmed);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}
