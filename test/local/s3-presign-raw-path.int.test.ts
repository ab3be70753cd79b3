import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, inject, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';
import { errorCode, rawRequest, signedHeaders } from './s3-raw-request';

// The suite's S3 (global setup) is local/s3-local.ts: s3rver behind local/s3-front.ts.
const { clients, bucket } = useFreshBucket();
const endpoint = () => inject('s3Endpoint');

const listed = async (prefix: string) =>
  (await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }))).Contents ?? [];

describe('the local S3 front checks a presigned URL over the path as sent (s3rver acts on that path)', () => {
  it("B's upload URL sent with a path that a URL parser would resolve to B's: 403, nothing written", async () => {
    const url = new URL(
      await getSignedUrl(
        clients.s3,
        new PutObjectCommand({
          Bucket: bucket(),
          Key: 'inputs/b/x.png',
          ContentType: 'image/png',
          ContentLength: 5,
        }),
        { expiresIn: 60, signableHeaders: new Set(['content-type', 'content-length']) },
      ),
    );
    const headers = { 'content-type': 'image/png', 'content-length': '5' };
    // What curl sends: WHATWG URL parsing turns each `\` into `/` and climbs the three `..`.
    const climbing = `/${bucket()}/models/checkpoints/zz\\..\\..\\..\\inputs/b/x.png${url.search}`;
    const answer = await rawRequest(endpoint(), 'PUT', climbing, headers, 'hello');
    expect(answer.status).toBe(403);
    expect(errorCode(answer.text)).toBe('SignatureDoesNotMatch');
    expect(await listed('models/')).toEqual([]);
    // The URL as signed still works.
    const own = await rawRequest(endpoint(), 'PUT', `${url.pathname}${url.search}`, headers, 'hello');
    expect(own.status).toBe(200);
    expect((await listed('inputs/b/')).map((object) => object.Key)).toEqual(['inputs/b/x.png']);
  });
});

describe('the local S3 front refuses keys with backslashes or control characters (s3rver stores keys as file names)', () => {
  it.each([
    ['a backslash', 'models/checkpoints/zz\\..\\inputs/b/y.png'],
    ['an encoded backslash', 'models/checkpoints/zz%5C..%5Cinputs/b/y.png'],
    ['an encoded line feed', 'inputs/b/line%0Afeed.png'],
    ['an encoded NUL', 'inputs/b/nul%00.png'],
    ['an encoded DEL', 'inputs/b/del%7F.png'],
  ])('a signed PUT of a key with %s: 400 InvalidArgument, nothing written', async (_what, key) => {
    const path = `/${bucket()}/${key}`;
    const answer = await rawRequest(
      endpoint(),
      'PUT',
      path,
      await signedHeaders(endpoint(), 'PUT', path, { body: 'x' }),
      'x',
    );
    expect(answer.status).toBe(400);
    expect(errorCode(answer.text)).toBe('InvalidArgument');
    expect(await listed('models/')).toEqual([]);
    expect((await listed('inputs/b/')).map((object) => object.Key)).not.toContainEqual(
      expect.stringMatching(/line|nul|del/),
    );
  });

  it('a listing whose prefix has a backslash: 400', async () => {
    const path = `/${bucket()}`;
    const query = '?list-type=2&prefix=inputs%5Cb';
    const headers = await signedHeaders(endpoint(), 'GET', path, {
      query: { 'list-type': '2', prefix: 'inputs\\b' },
    });
    const answer = await rawRequest(endpoint(), 'GET', `${path}${query}`, headers);
    expect(answer.status).toBe(400);
    expect(errorCode(answer.text)).toBe('InvalidArgument');
  });
});
