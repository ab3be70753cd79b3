import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';

// The suite's S3 (global setup) is local/s3-local.ts: s3rver behind local/s3-front.ts.
const { clients, bucket } = useFreshBucket();

const put = (key: string, body: string, condition: { IfNoneMatch?: string; IfMatch?: string }) =>
  clients.s3
    .send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body, ...condition }))
    .then((answer) => ({ ok: true as const, etag: answer.ETag }))
    .catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      ok: false as const,
      code: error.name,
      status: error.$metadata?.httpStatusCode,
    }));

describe("the local S3 front's conditional writes (S3's If-None-Match and If-Match; s3rver ignores both)", () => {
  it('creates a key once, and replaces it only at the version read', async () => {
    expect(await put('state/a.json', 'one', { IfNoneMatch: '*' })).toMatchObject({ ok: true });
    expect(await put('state/a.json', 'two', { IfNoneMatch: '*' })).toEqual({
      ok: false,
      code: 'PreconditionFailed',
      status: 412,
    });
    const read = await clients.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: 'state/a.json' }));
    expect(await put('state/a.json', 'three', { IfMatch: '"not-the-etag"' })).toMatchObject({ status: 412 });
    expect(await put('state/a.json', 'four', { IfMatch: read.ETag! })).toMatchObject({ ok: true });
    expect(await put('state/missing.json', 'five', { IfMatch: read.ETag! })).toMatchObject({ status: 404 });
    const now = await clients.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: 'state/a.json' }));
    expect(await now.Body!.transformToString()).toBe('four');
  });

  it('lets exactly one of ten racing creates of a key through', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => put('state/race.json', `writer ${i}`, { IfNoneMatch: '*' })),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.status === 412)).toHaveLength(9);
  });
});
