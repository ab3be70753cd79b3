import { createHash, createHmac } from 'node:crypto';
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

class NodeSha256 {
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
  const signer = new SignatureV4({
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secret },
    region,
    service,
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
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
  return presigned.query?.['X-Amz-Signature'] === provided
    ? undefined
    : {
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided.',
      };
}
