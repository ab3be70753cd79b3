import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';

// The suite's S3 (global setup) is local/s3-local.ts: s3rver behind the presigned-URL check.
const { clients, bucket } = useFreshBucket();

const uploadUrl = (key: string, options: { signingDate?: Date } = {}) =>
  getSignedUrl(
    clients.s3,
    new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType: 'image/png', ContentLength: 5 }),
    {
      expiresIn: 60,
      signableHeaders: new Set(['content-type', 'content-length']),
      ...options,
    },
  );

const put = (url: string, body: string, contentType = 'image/png') =>
  fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });

async function code(response: Response) {
  return /<Code>(\w+)<\/Code>/.exec(await response.text())?.[1];
}

describe('local S3 checks presigned URLs as S3 does (s3rver alone does not)', () => {
  it('accepts an upload of exactly the declared size and type, and a signed GET of it', async () => {
    expect((await put(await uploadUrl('exact.png'), 'hello')).status).toBe(200);
    const get = await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket(), Key: 'exact.png' }), {
      expiresIn: 60,
    });
    expect(await (await fetch(get)).text()).toBe('hello');
  });

  it('refuses an upload bigger than declared, or of another content type: SignatureDoesNotMatch', async () => {
    const url = await uploadUrl('bigger.png');
    const bigger = await put(url, 'hello, and more');
    expect(bigger.status).toBe(403);
    expect(await code(bigger)).toBe('SignatureDoesNotMatch');
    expect((await put(url, 'hello', 'text/html')).status).toBe(403);
    const missing = await fetch(
      await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket(), Key: 'bigger.png' }), {
        expiresIn: 60,
      }),
    );
    expect(missing.status).toBe(404);
  });

  it('refuses a tampered signature and an expired URL', async () => {
    const url = await uploadUrl('tampered.png');
    const tampered = url.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    expect(await code(await put(tampered, 'hello'))).toBe('SignatureDoesNotMatch');
    const expired = await put(
      await uploadUrl('old.png', { signingDate: new Date(Date.now() - 3_600_000) }),
      'hello',
    );
    expect(expired.status).toBe(403);
    expect(await code(expired)).toBe('AccessDenied');
  });
});
