import { RequestValidationError } from '../domain/errors';

/**
 * ListExecutes' opaque cursor: DynamoDB's LastEvaluatedKey as base64url JSON (ESD used base64 of
 * the same JSON). A decoded cursor must have exactly the expected keys and the caller's own
 * partition value, so a cursor cannot be crafted to read another owner's page.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

export function decodeCursor(
  cursor: string,
  expectedKeys: readonly string[],
  partition: { name: string; value: string },
): Record<string, string> {
  const invalid = new RequestValidationError('exclusive_start_key is not a cursor returned by this listing');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid;
  const entries = Object.entries(decoded);
  const sameKeys =
    entries.length === expectedKeys.length &&
    entries.every(([k, v]) => expectedKeys.includes(k) && typeof v === 'string');
  if (!sameKeys || (decoded as Record<string, string>)[partition.name] !== partition.value) throw invalid;
  return decoded as Record<string, string>;
}
