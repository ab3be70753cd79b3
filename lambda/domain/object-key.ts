/**
 * S3 object keys built from what a user sent. S3 keys are literal (`a/../b` is a key of its own),
 * but emulators, proxies and file systems resolve dot segments, and a key with them can leave the
 * prefix it was checked against. No real input, model or output needs one, so every key or name
 * a user supplies is refused when it has an empty, `.` or `..` segment, a backslash (a separator
 * on Windows) or a control character.
 */

/** A UTF-16 surrogate without its pair: text no UTF-8 key, file name or header can hold. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a user-supplied key, name or path cannot become (part of) an S3 key, or undefined when it
 * can. `prefix`: a closing slash is allowed (it names a prefix, not an object).
 */
export function keyProblem(key: string, options: { prefix?: boolean } = {}): string | undefined {
  if (key === '') return 'is empty';
  if (LONE_SURROGATE.test(key)) return 'is not valid Unicode (a lone UTF-16 surrogate)';
  if (key.includes('\\')) return 'contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'contains NUL or control characters';
  const segments = key.split('/');
  if (options.prefix && segments.length > 1 && segments.at(-1) === '') segments.pop();
  if (segments.includes('..')) return "has a '..' path segment";
  if (segments.includes('.')) return "has a '.' path segment";
  if (segments.includes('')) return 'has an empty path segment (a leading, doubled or closing /)';
  // S3 refuses longer keys (a read then fails as a 400 with no body), and file systems longer names.
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `is over ${MAX_KEY_BYTES} bytes in UTF-8`;
  if (segments.some((segment) => Buffer.byteLength(segment) > MAX_NAME_BYTES))
    return `has a name over ${MAX_NAME_BYTES} bytes in UTF-8`;
  return undefined;
}

/**
 * Well under S3's 1024-byte keys, leaving room for the prefix a name is stored under; names as
 * input file names are (200 bytes: file systems allow 255, the local S3's store less).
 */
const MAX_KEY_BYTES = 900;
const MAX_NAME_BYTES = 200;

/**
 * The key as a resolver of dot segments would read it: backslashes as slashes, empty and `.`
 * segments dropped, each `..` removing the segment before it. A closing slash is kept.
 */
export function normalisedKey(key: string): string {
  const segments = key.replace(/\\/g, '/').split('/');
  const closing = segments.length > 1 && segments.at(-1) === '';
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  return `${kept.join('/')}${closing && kept.length > 0 ? '/' : ''}`;
}

/** `s3://bucket/key` split, or undefined when it is not one. */
function splitUri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/s.exec(uri);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/** Why an `s3://bucket/key` URI a user sent cannot be read, or undefined (see keyProblem). */
export function s3UriProblem(uri: string, options: { prefix?: boolean } = {}): string | undefined {
  const parts = splitUri(uri);
  if (!parts) return 'is not an s3://bucket/key URI';
  if (options.prefix && parts.key === '') return undefined; // the whole bucket
  return keyProblem(parts.key, options);
}

/**
 * Whether the URI lies under the prefix URI (`s3://bucket/inputs/owner/`), compared on the
 * normalised key: a key that only spells the prefix (`…/owner/../other/…`) is not under it.
 */
export function isUnderPrefix(uri: string, prefixUri: string): boolean {
  const parts = splitUri(uri);
  const prefix = splitUri(prefixUri);
  if (!parts || !prefix || parts.bucket !== prefix.bucket) return false;
  return normalisedKey(parts.key).startsWith(prefix.key) && uri.startsWith(prefixUri);
}
