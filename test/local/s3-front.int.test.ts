import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';
import { rawRequest, signedHeaders } from './s3-raw-request';

// The suite's S3 (global setup) is local/s3-local.ts: s3rver behind local/s3-front.ts.
const { clients, bucket } = useFreshBucket();
const endpoint = () => inject('s3Endpoint');

/**
 * A request signed in its Authorization header, its path sent exactly as given (the SDK and
 * `fetch` would resolve or encode dot segments): how any SigV4 client could send one.
 */
async function signedRequest(
  method: string,
  path: string,
  options: {
    query?: Record<string, string>;
    body?: string;
    secret?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const search = new URLSearchParams(options.query ?? {}).toString();
  const headers = await signedHeaders(endpoint(), method, path, options);
  return rawRequest(endpoint(), method, `${path}${search ? `?${search}` : ''}`, headers, options.body ?? '');
}

const code = (text: string) => /<Code>(\w+)<\/Code>/.exec(text)?.[1];

beforeAll(async () => {
  for (const key of ['inputs/a/secret.png', 'inputs/b/mine.png'])
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: `bytes of ${key}` }));
});

describe('the local S3 front refuses unsigned requests (s3rver alone serves them anonymously)', () => {
  it.each([
    ['list', 'GET', () => `/${bucket()}?list-type=2&prefix=inputs/`],
    ['get', 'GET', () => `/${bucket()}/inputs/a/secret.png`],
    ['head', 'HEAD', () => `/${bucket()}/inputs/a/secret.png`],
    ['put', 'PUT', () => `/${bucket()}/inputs/a/secret.png`],
    ['delete', 'DELETE', () => `/${bucket()}/inputs/a/secret.png`],
  ])('%s: 403', async (_what, method, path) => {
    const answer = await fetch(`${endpoint()}${path()}`, {
      method,
      ...(method === 'PUT' ? { body: 'overwritten' } : {}),
    });
    expect(answer.status).toBe(403);
    if (method !== 'HEAD') expect(code(await answer.text())).toBe('AccessDenied');
    const still = await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`);
    expect(still).toMatchObject({ status: 200, text: 'bytes of inputs/a/secret.png' });
  });

  it('refuses a header signature made with another secret, and accepts the right one', async () => {
    const wrong = await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`, { secret: 'guessed' });
    expect(wrong.status).toBe(403);
    expect(code(wrong.text)).toBe('SignatureDoesNotMatch');
    const right = await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`);
    expect(right.status).toBe(200);
  });
});

describe('the local S3 front refuses keys with dot or empty segments (S3 keeps them literal, s3rver resolves them)', () => {
  it.each([
    ['a path', () => `/${bucket()}/inputs/b/../a/secret.png`],
    ['an encoded path', () => `/${bucket()}/inputs/b/%2E%2E/a/secret.png`],
    ['an encoded slash', () => `/${bucket()}/inputs/b%2F..%2Fa/secret.png`],
    ['a . segment', () => `/${bucket()}/inputs/./a/secret.png`],
    ['a doubled slash', () => `/${bucket()}/inputs//a/secret.png`],
  ])('get through %s: 400', async (_what, path) => {
    const answer = await signedRequest('GET', path());
    expect(answer.status).toBe(400);
    expect(code(answer.text)).toBe('InvalidArgument');
  });

  it('a put with a segment too long for the emulator to store: 400, and the emulator still answers', async () => {
    // Issue 26's attack: s3rver crashed the whole local stack on ENAMETOOLONG (segment + suffix > 255).
    const long = `/${bucket()}/inputs/b/in-${'u'.repeat(232)}.png`;
    const answer = await signedRequest('PUT', long, { body: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('this emulator stores at most 232');
    const atLimit = `/${bucket()}/inputs/b/${'u'.repeat(228)}.png`;
    expect((await signedRequest('PUT', atLimit, { body: 'x' })).status).toBe(200);
    expect((await signedRequest('GET', `/${bucket()}/inputs/b/mine.png`)).status).toBe(200);
  });

  it('put and delete through a dot segment: 400, nothing changed', async () => {
    expect((await signedRequest('PUT', `/${bucket()}/inputs/b/../a/secret.png`, { body: 'x' })).status).toBe(
      400,
    );
    expect((await signedRequest('DELETE', `/${bucket()}/inputs/b/../a/secret.png`)).status).toBe(400);
    expect((await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`)).text).toBe(
      'bytes of inputs/a/secret.png',
    );
  });

  it('a listing prefix, a copy source and a batch delete with dot segments: 400', async () => {
    const list = await signedRequest('GET', `/${bucket()}`, {
      query: { 'list-type': '2', prefix: 'inputs/b/../a/' },
    });
    expect(list.status).toBe(400);
    const copy = await signedRequest('PUT', `/${bucket()}/inputs/b/copy.png`, {
      headers: { 'x-amz-copy-source': `/${bucket()}/inputs/b/../a/secret.png` },
    });
    expect(copy.status).toBe(400);
    const batch = await signedRequest('POST', `/${bucket()}`, {
      query: { delete: '' },
      body: '<Delete><Object><Key>inputs/b/../a/secret.png</Key></Object></Delete>',
    });
    expect(batch.status).toBe(400);
    expect((await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`)).status).toBe(200);
  });
});

describe("the local S3 front answers CORS as the bucket's rule says (PUT from any origin)", () => {
  it("answers a browser's preflight for a PUT, and a presigned PUT from a page", async () => {
    const preflight = await fetch(`${endpoint()}/${bucket()}/inputs/b/upload.png`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    const url = await getSignedUrl(
      clients.s3,
      new PutObjectCommand({
        Bucket: bucket(),
        Key: 'inputs/b/upload.png',
        ContentType: 'image/png',
        ContentLength: 5,
      }),
      { expiresIn: 60, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    const put = await fetch(url, {
      method: 'PUT',
      headers: { origin: 'http://localhost:5173', 'content-type': 'image/png' },
      body: 'hello',
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses a preflight for another method or header, and adds no CORS headers to a GET', async () => {
    for (const [method, headers] of [
      ['GET', ''],
      ['DELETE', ''],
      ['PUT', 'x-amz-acl'],
    ]) {
      const preflight = await fetch(`${endpoint()}/${bucket()}/inputs/a/secret.png`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': method!,
          ...(headers ? { 'access-control-request-headers': headers } : {}),
        },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    }
    const get = await signedRequest('GET', `/${bucket()}/inputs/a/secret.png`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});
