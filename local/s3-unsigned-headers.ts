import type { IncomingMessage } from 'node:http';

/**
 * The headers S3 insists are signed when present: every `x-amz-*` (they choose what a request
 * does: `x-amz-copy-source` turns a PUT into a copy of another key, `x-amz-acl`, `x-amz-tagging`,
 * `x-amz-meta-*` change what is stored) and `content-md5`. A signature that does not cover one
 * would let whoever holds a presigned URL make it do something else than what was signed.
 */
function mustBeSigned(name: string): boolean {
  return name.startsWith('x-amz-') || name === 'content-md5';
}

/**
 * The headers of `req` that S3 would name in `HeadersNotSigned`, in the order sent. A presigned
 * request's payload hash is the exception S3 makes: an unsigned `x-amz-content-sha256` is not
 * listed but taken as the payload hash, so one other than the URL's fails the signature
 * (unsignedPayloadHashDiffers); a header-signed request must sign it like any other.
 */
export function headersNotSigned(
  req: IncomingMessage,
  signed: readonly string[],
  presigned: boolean,
): string[] {
  return Object.keys(req.headers).filter(
    (name) => mustBeSigned(name) && !signed.includes(name) && !(presigned && name === 'x-amz-content-sha256'),
  );
}

/** Whether a presigned request carries an unsigned `x-amz-content-sha256` other than `signedHash`. */
export function unsignedPayloadHashDiffers(
  req: IncomingMessage,
  signed: readonly string[],
  signedHash: string,
): boolean {
  const sent = req.headers['x-amz-content-sha256'];
  return sent !== undefined && !signed.includes('x-amz-content-sha256') && sent !== signedHash;
}
