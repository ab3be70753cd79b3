import { exactJsonText } from './exact-json';

/**
 * JSON with object keys sorted at every depth: equal requests give equal text whatever the
 * client's key order, so the text's digest identifies a request for idempotent retries.
 */
export function canonicalJson(value: unknown): string {
  // A 64-bit seed (a BigInt) is written as its digits, as the client sent it.
  return exactJsonText(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
