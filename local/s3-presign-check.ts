import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

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

const MISMATCH = {
  code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided.',
};

/** S3 refuses a signature dated more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60_000;

/**
 * Why AWS would refuse this request signed in its Authorization header (Signature Version 4), or
 * undefined when it would accept it: the signature recomputed over the method, path, query and
 * the headers it names, with the payload hash the client declared (x-amz-content-sha256, as S3
 * clients send) or else the hash of `body` (every other service's clients sign the body itself).
 */
export async function headerSignatureProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
  body?: Uint8Array,
): Promise<{ code: string; message: string } | undefined> {
  const authorization = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return { code: 'AccessDenied', message: 'Malformed or unsupported Authorization header' };
  const [, accessKeyId, , region, service, signedList, provided] = match;
  const secret = secretFor(accessKeyId!);
  if (!secret)
    return { code: 'InvalidAccessKeyId', message: 'The AWS access key Id you provided does not exist.' };
  const date = amzDate(String(req.headers['x-amz-date'] ?? ''));
  if (!date) return { code: 'AccessDenied', message: 'The request has no valid x-amz-date header' };
  if (Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS)
    return {
      code: 'RequestTimeTooSkewed',
      message: 'The difference between the request time and the current time is too large.',
    };
  const signed = signedList!.split(';');
  if (!signed.includes('host')) return { code: 'AccessDenied', message: 'The host header must be signed' };
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const { path, query } = pathAndQuery(req);
  const request = await signerFor(accessKeyId!, secret, region!, service!).sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', path, query, headers, body },
    { signingDate: date, signableHeaders: new Set(signed), unsignableHeaders: new Set() },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(request.headers.authorization ?? ''))?.[1];
  return sameSignature(recomputed, provided) ? undefined : MISMATCH;
}

/**
 * Why S3 would refuse this request as unsigned, or as wrongly signed (see headerSignatureProblem
 * and presignedRequestProblem): every request needs a signature, in its query or its headers.
 */
export async function signedRequestProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
): Promise<{ code: string; message: string } | undefined> {
  if (pathAndQuery(req).query['X-Amz-Signature'] !== undefined)
    return presignedRequestProblem(req, secretFor);
  if (req.headers.authorization) return headerSignatureProblem(req, secretFor);
  return {
    code: 'AccessDenied',
    message: 'Anonymous requests are refused: sign with Signature Version 4 (header or presigned URL)',
  };
}

/**
 * Why S3 would refuse this presigned request, or undefined when it would accept it: the
 * signature recomputed over the method, path, query and signed headers (Content-Length and
 * Content-Type included, so a bigger upload than declared is refused), and the expiry.
 */
export async function presignedRequestProblem(
  req: IncomingMessage,
  secretFor: (accessKeyId: string) => string | undefined,
): Promise<{ code: string; message: string } | undefined> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const query = Object.fromEntries(url.searchParams);
  const provided = query['X-Amz-Signature'];
  const [accessKeyId, , region, service] = (query['X-Amz-Credential'] ?? '').split('/');
  const date = amzDate(query['X-Amz-Date'] ?? '');
  const expires = Number(query['X-Amz-Expires']);
  const secret = accessKeyId ? secretFor(accessKeyId) : undefined;
  if (!provided || !date || !Number.isFinite(expires) || !secret || !region || !service)
    return { code: 'AccessDenied', message: 'Malformed presigned request' };
  if (Date.now() > date.getTime() + expires * 1000)
    return { code: 'AccessDenied', message: 'Request has expired' };
  const signed = (query['X-Amz-SignedHeaders'] ?? '').split(';').filter(Boolean);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // The payload hash travels as a hoisted header: the signer reads it from the headers and hoists it again.
  const { 'X-Amz-Signature': _signature, 'X-Amz-Content-Sha256': payloadHash, ...unsigned } = query;
  if (payloadHash) headers['X-Amz-Content-Sha256'] = payloadHash;
  const signer = signerFor(accessKeyId!, secret, region, service);
  const presigned = await signer.presign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: unsigned,
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
