import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../local/s3-presign-check';

export interface RawAnswer {
  status: number;
  text: string;
  headers: Record<string, unknown>;
}

/**
 * Sends `pathAndQuery` exactly as given, as curl would: `fetch` and the SDK resolve dot segments
 * and turn backslashes into slashes before sending, which is what the front must not rely on.
 */
export function rawRequest(
  endpoint: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<RawAnswer> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method, path: pathAndQuery, headers },
      (answer) => {
        let text = '';
        answer.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text, headers: answer.headers }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The headers of a request signed in its Authorization header over `path` as given (S3 signs its
 * path as sent), plus `unsigned`: headers added after signing, as an intermediary could.
 */
export async function signedHeaders(
  endpoint: string,
  method: string,
  path: string,
  options: {
    body?: string;
    /** Signs with S3RVER's key id and this secret (a wrong one, to be refused). @default 'S3RVER' */
    secret?: string;
    region?: string;
    service?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    unsigned?: Record<string, string>;
    /** Whether x-amz-content-sha256 (the body's hash) is among the signed headers, as S3 wants. */
    signPayloadHash?: boolean;
  } = {},
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const body = options.body ?? '';
  const signed = await new SignatureV4({
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: options.secret ?? 'S3RVER' },
    region: options.region ?? 'us-east-1',
    service: options.service ?? 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: options.signPayloadHash !== false,
  }).sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: options.query ?? {},
    headers: {
      host: url.host,
      ...(options.signPayloadHash === false ? {} : { 'x-amz-content-sha256': sha256(body) }),
      ...options.headers,
    },
    body,
  });
  return { ...(signed.headers as Record<string, string>), ...options.unsigned };
}

/** What S3 answered, as its XML says it: the code, and any element asked for. */
export const errorCode = (text: string) => /<Code>(\w+)<\/Code>/.exec(text)?.[1];
export const errorElement = (text: string, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
