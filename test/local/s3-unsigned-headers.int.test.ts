import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';
import { errorCode, errorElement, rawRequest, sha256, signedHeaders } from './s3-raw-request';

// The suite's S3 (global setup) is local/s3-local.ts: s3rver behind local/s3-front.ts.
const { clients, bucket } = useFreshBucket();
const endpoint = () => inject('s3Endpoint');

beforeAll(async () => {
  await clients.s3.send(
    new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/a/secret.png', Body: 'bytes of A' }),
  );
});

/** B's upload URL for one of its inputs, as the API hands it out: length and type signed. */
const uploadUrl = (key: string) =>
  getSignedUrl(
    clients.s3,
    new PutObjectCommand({ Bucket: bucket(), Key: key, ContentType: 'image/png', ContentLength: 5 }),
    { expiresIn: 60, signableHeaders: new Set(['content-type', 'content-length']) },
  );

const put = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'PUT', headers: { 'content-type': 'image/png', ...headers }, body: 'hello' });

const exists = (key: string) =>
  clients.s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key })).then(
    () => true,
    () => false,
  );

describe('the local S3 front refuses x-amz-* headers and content-md5 the signature does not cover, as S3 does', () => {
  it("a presigned PUT with an added x-amz-copy-source: 403 HeadersNotSigned, A's object not copied", async () => {
    const answer = await put(await uploadUrl('inputs/b/stolen.png'), {
      'x-amz-copy-source': `/${bucket()}/inputs/a/secret.png`,
    });
    const text = await answer.text();
    expect(answer.status).toBe(403);
    expect(errorCode(text)).toBe('AccessDenied');
    expect(text).toContain('There were headers present in the request which were not signed');
    expect(errorElement(text, 'HeadersNotSigned')).toBe('x-amz-copy-source');
    expect(await exists('inputs/b/stolen.png')).toBe(false);
  });

  it.each([
    ['x-amz-acl', 'public-read'],
    ['x-amz-meta-owner', 'someone-else'],
    ['x-amz-tagging', 'a=b'],
    ['content-md5', 'XUFAKrxLKna5cZ2REBfFkg=='],
  ])('a presigned PUT with an added %s: 403, nothing stored', async (name, value) => {
    const answer = await put(await uploadUrl(`inputs/b/${name}.png`), { [name]: value });
    expect(answer.status).toBe(403);
    expect(errorElement(await answer.text(), 'HeadersNotSigned')).toBe(name);
    expect(await exists(`inputs/b/${name}.png`)).toBe(false);
  });

  it('takes the same URL with no added header, and an unsigned payload hash equal to the signed one', async () => {
    const url = await uploadUrl('inputs/b/mine.png');
    expect((await put(url)).status).toBe(200);
    expect((await put(url, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).status).toBe(200);
    // S3 reads an unsigned x-amz-content-sha256 as the payload hash: another one fails the signature.
    const other = await put(url, { 'x-amz-content-sha256': 'a'.repeat(64) });
    expect(other.status).toBe(403);
    expect(errorCode(await other.text())).toBe('SignatureDoesNotMatch');
  });

  it('a header-signed copy whose x-amz-copy-source was added after signing: 403, nothing copied', async () => {
    const path = `/${bucket()}/inputs/b/copied.png`;
    const headers = await signedHeaders(endpoint(), 'PUT', path, {
      unsigned: { 'x-amz-copy-source': `/${bucket()}/inputs/a/secret.png` },
    });
    const answer = await rawRequest(endpoint(), 'PUT', path, headers);
    expect(answer.status).toBe(403);
    expect(errorElement(answer.text, 'HeadersNotSigned')).toBe('x-amz-copy-source');
    expect(await exists('inputs/b/copied.png')).toBe(false);
    // Signed, the same copy is what S3 does for whoever holds the key pair.
    const signed = await signedHeaders(endpoint(), 'PUT', path, {
      headers: { 'x-amz-copy-source': `/${bucket()}/inputs/a/secret.png` },
    });
    expect((await rawRequest(endpoint(), 'PUT', path, signed)).status).toBe(200);
    const copy = await clients.s3.send(
      new GetObjectCommand({ Bucket: bucket(), Key: 'inputs/b/copied.png' }),
    );
    expect(await copy.Body!.transformToString()).toBe('bytes of A');
  });

  it('a header-signed request must sign its x-amz-content-sha256 too', async () => {
    const path = `/${bucket()}/inputs/a/secret.png`;
    const headers = await signedHeaders(endpoint(), 'GET', path, {
      signPayloadHash: false,
      unsigned: { 'x-amz-content-sha256': sha256('') },
    });
    const answer = await rawRequest(endpoint(), 'GET', path, headers);
    expect(answer.status).toBe(403);
    expect(errorElement(answer.text, 'HeadersNotSigned')).toBe('x-amz-content-sha256');
  });
});
