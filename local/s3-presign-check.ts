import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  expiresIn,
  MISMATCH,
  notSigned,
  queryProblem,
  type SignatureProblem,
  scopedElsewhere,
  UNKNOWN_KEY,
} from './s3-signature-refusals';
import { headersNotSigned, unsignedPayloadHashDiffers } from './s3-unsigned-headers';
import { type ExpectedScope, LOCAL_S3_SCOPE, scopeMismatch } from './sigv4-scope';

export type { SignatureProblem } from './s3-signature-refusals';

/** SigV4's hash, on node:crypto (an HMAC when the signer passes a key). */
type Bytes = string | ArrayBuffer | ArrayBufferView;
const asBuffer = (data: Bytes) =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

export class NodeSha256 {
  private hash;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', asBuffer(secret));
  }
  update(data: Bytes) {
    this.hash.update(asBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

/** `20261204T192027Z` → Date. */
function amzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return match
    ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`)
    : undefined;
}

// S3 signs its path as sent; every other service escapes it once more (SigV4's canonical URI).
const signerFor = (accessKeyId: string, secretAccessKey: string, region: string, service: string) =>
  new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });

/** The request's path exactly as sent (a URL object would resolve dot segments) and its query. */
function pathAndQuery(req: IncomingMessage): { path: string; query: Record<string, string | string[]> } {
  const raw = req.url ?? '/';
  const mark = raw.indexOf('?');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(mark < 0 ? '' : raw.slice(mark + 1))) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return { path: mark < 0 ? raw : raw.slice(0, mark), query };
}

/** Compared in constant time: any user of the machine can time the answers of a loopback port. */
function sameSignature(recomputed: unknown, provided: string | undefined): boolean {
  if (typeof recomputed !== 'string' || provided === undefined) return false;
  const [a, b] = [Buffer.from(recomputed), Buffer.from(provided)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** S3 refuses a signature dated more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60_000;

/** The values of the headers a signature names, as the signer reads them. */
function signedHeaderValues(req: IncomingMessage, signed: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/**
 * Why AWS would refuse this request signed in its Authorization header (Signature Version 4), or
 * undefined when it would accept it: the signature recomputed over the method, path, query and
 * the headers it names, with the payload hash the client declared (x-amz-content-sha256, as S3
 * clients send) or else the hash of `body` (every other service's clients sign the body itself).
 * `scope`: the region and services the credential scope must name (unchecked when absent);
 * `refuseUnsignedAmzHeaders`: S3's rule that every x-amz-* header and content-md5 be signed.
 */
export async function headerSignatureProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
  body?: Uint8Array,
  options: { scope?: ExpectedScope; refuseUnsignedAmzHeaders?: boolean } = {},
): Promise<SignatureProblem | undefined> {
  const authorization = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { code: 'AccessDenied', message: 'Malformed or unsupported Authorization header' };
  const [, accessKeyId, , region, service, signedList, provided] = match;
  const mismatch = options.scope && scopeMismatch(region!, service!, options.scope);
  if (mismatch) return scopedElsewhere(mismatch, false);
  const secret = secretFor(accessKeyId!);
  if (!secret) return UNKNOWN_KEY;
  const date = amzDate(String(req.headers['x-amz-date'] ?? ''));
  if (!date) return { code: 'AccessDenied', message: 'The request has no valid x-amz-date header' };
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS)
    return {
      code: 'RequestTimeTooSkewed',
      message: 'The difference between the request time and the current time is too large.',
    };
  const signed = signedList!.split(';');
  if (!signed.includes('host')) return { code: 'AccessDenied', message: 'The host header must be signed' };
  const unsigned = options.refuseUnsignedAmzHeaders ? headersNotSigned(req, signed, false) : [];
  if (unsigned.length > 0) return notSigned(unsigned);
  const { path, query } = pathAndQuery(req);
  const headers = signedHeaderValues(req, signed);
  const request = await signerFor(accessKeyId!, secret, region!, service!).sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path, query, headers, body },
    { signingDate: date, signableHeaders: new Set(signed), unsignableHeaders: new Set() },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(request.headers.authorization ?? ''))?.[1];
  return sameSignature(recomputed, provided) ? undefined : MISMATCH;
}

/**
 * Why S3 would refuse this request as unsigned, or as wrongly signed (see headerSignatureProblem
 * and presignedRequestProblem): every request needs a signature, in its query or its headers,
 * scoped to `scope` and covering every x-amz-* header (and content-md5) it carries.
 */
export async function signedRequestProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
  scope: ExpectedScope = LOCAL_S3_SCOPE,
): Promise<SignatureProblem | undefined> {
  if (pathAndQuery(req).query['X-Amz-Signature'] !== undefined)
    return presignedRequestProblem(req, secretFor, scope);
  if (req.headers.authorization)
    return headerSignatureProblem(req, secretFor, undefined, { scope, refuseUnsignedAmzHeaders: true });
  return {
    code: 'AccessDenied',
    message: 'Anonymous requests are refused: sign with Signature Version 4 (header or presigned URL)',
  };
}

const QUERY_AUTH_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-Date',
  'X-Amz-SignedHeaders',
  'X-Amz-Expires',
] as const;

/**
 * Why S3 would refuse this presigned request, or undefined when it would accept it: the query's
 * parameters as S3 reads them (scope, date at most 15 minutes ahead, expiry of 1 second to a
 * week), every x-amz-* header and content-md5 signed, and the signature recomputed over the
 * method, the path exactly as sent (the path s3rver acts on), the query and the signed headers
 * (Content-Length and Content-Type included, so a bigger upload than declared is refused).
 */
export async function presignedRequestProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
  scope: ExpectedScope = LOCAL_S3_SCOPE,
): Promise<SignatureProblem | undefined> {
  const { path, query } = pathAndQuery(req);
  const [algorithm, credential, provided, dateText, signedList, expiresText] = QUERY_AUTH_PARAMETERS.map(
    (name) => {
      const value = query[name];
      return typeof value === 'string' ? value : undefined;
    },
  );
  if (!algorithm || !credential || !provided || !dateText || signedList === undefined || !expiresText)
    return queryProblem(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  if (algorithm !== 'AWS4-HMAC-SHA256')
    return queryProblem('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const parts = credential.split('/');
  const [accessKeyId = '', , region = '', service = ''] = parts;
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !accessKeyId)
    return queryProblem(
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  const mismatch = scopeMismatch(region, service, scope);
  if (mismatch) return scopedElsewhere(mismatch, true);
  const date = amzDate(dateText);
  if (!date) return queryProblem("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const expires = expiresIn(expiresText);
  if (typeof expires !== 'number') return expires;
  const secret = secretFor(accessKeyId);
  if (!secret) return UNKNOWN_KEY;
  // Dated ahead, a URL would stay valid until then plus its expiry: S3 allows its clock skew only.
  if (date.getTime() - Date.now() > MAX_SKEW_MS)
    return { code: 'AccessDenied', message: 'Request is not yet valid' };
  if (expires < 1 || Date.now() > date.getTime() + expires * 1000)
    return { code: 'AccessDenied', message: 'Request has expired' };
  const signed = signedList.split(';').filter(Boolean);
  const unsigned = headersNotSigned(req, signed, true);
  if (unsigned.length > 0) return notSigned(unsigned);
  // The payload hash travels as a hoisted header: the signer reads it from the headers and hoists it again.
  const { 'X-Amz-Signature': _signature, 'X-Amz-Content-Sha256': payloadHash, ...queryToSign } = query;
  if (Array.isArray(payloadHash)) return MISMATCH;
  if (unsignedPayloadHashDiffers(req, signed, payloadHash ?? 'UNSIGNED-PAYLOAD')) return MISMATCH;
  const headers = signedHeaderValues(req, signed);
  if (payloadHash) headers['X-Amz-Content-Sha256'] = payloadHash;
  const presigned = await signerFor(accessKeyId, secret, region, service).presign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      query: queryToSign,
      headers,
    },
    {
      signingDate: date,
      expiresIn: expires,
      signableHeaders: new Set(signed),
      unhoistableHeaders: new Set(signed),
    },
  );
  return sameSignature(presigned.query?.['X-Amz-Signature'], provided) ? undefined : MISMATCH;
}
