import { normalisedKey } from '../domain/object-key';

/** `s3://bucket/key` ⇄ {bucket, key}. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// object URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Every object of one execute lives under this prefix (request, outputs, temp files). */
export function executePrefix(promptId: string): string {
  return `executes/${promptId}/`;
}

/** A key the adapters refuse to send to S3 (see literalKey). */
export class UnsafeObjectKeyError extends Error {
  override readonly name = 'UnsafeObjectKeyError';
}

/**
 * The backstop under every use case's own checks: a key is sent to S3 only when it reads the
 * same resolved as literal (no empty, `.` or `..` segment, no backslash, no leading slash), so a
 * caller that forgot to check what a user sent cannot reach another prefix on a store that
 * resolves dot segments. `prefix`: a listing prefix, which may be empty or end in a slash.
 */
export function literalKey(key: string, options: { prefix?: boolean } = {}): string {
  if ((key === '' && !options.prefix) || normalisedKey(key) !== key)
    throw new UnsafeObjectKeyError(
      `refusing the S3 key '${key}': empty, '.' or '..' segments and backslashes are never sent to S3`,
    );
  return key;
}
