import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3PayloadStore } from '../../lambda/adapters/s3-payload-store';
import { freshTableAndBucket, localClients } from '../support/local-aws';

const clients = localClients();
let bucket: string;
let payloads: S3PayloadStore;
let drop: () => Promise<void>;
const ID = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';

beforeAll(async () => {
  const fresh = await freshTableAndBucket(clients);
  bucket = fresh.bucketName;
  drop = fresh.drop;
  payloads = new S3PayloadStore(clients.s3, bucket);
});
afterAll(() => drop());

describe('S3PayloadStore on s3rver', () => {
  it('stages a request under the execute prefix, keyed by its digest, and reads it back', async () => {
    const uri = await payloads.putRequest(ID, 'abcdef0123456789ffff', '{"prompt":{}}');
    expect(uri).toBe(`s3://${bucket}/executes/${ID}/request-abcdef0123456789.json`);
    expect(await payloads.getText(uri)).toBe('{"prompt":{}}');
    const head = await clients.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: uri.split(`${bucket}/`)[1]! }),
    );
    expect(head.ContentType).toBe('application/json');
  });

  it('answers undefined for a missing object', async () => {
    expect(await payloads.getText(`s3://${bucket}/executes/${ID}/nothing.json`)).toBeUndefined();
  });

  it('signs GET URLs that fetch the object', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `executes/${ID}/outputs/9/a.png`, Body: 'png-bytes' }),
    );
    const url = await payloads.presignGet(`s3://${bucket}/executes/${ID}/outputs/9/a.png`, 3600);
    expect(url).toContain('X-Amz-Expires=3600');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('png-bytes');

    // Later URLs for the bucket are signed from its template (lambda/adapters/s3-url-signer.ts).
    const odd = `executes/${ID}/outputs/9/ComfyUI (1) ü+x.png`;
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: odd, Body: 'odd-bytes' }));
    const second = await payloads.presignGet(`s3://${bucket}/${odd}`, 60);
    expect(second).toContain('X-Amz-Expires=60');
    // s3rver does not check signatures; test/unit/adapters/s3-url-signer.test.ts holds each URL to
    // the one getSignedUrl signs. This shows the template's endpoint and key encoding reach the object.
    expect(await (await fetch(second)).text()).toBe('odd-bytes');
  });

  it('deletes every object of one execute and nothing else', async () => {
    const other = '00000000-0000-4000-8000-000000000001';
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `executes/${other}/request-x.json`, Body: '{}' }),
    );
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `executes/${ID}/temp/9/b.png`, Body: 'x' }),
    );
    await payloads.deleteExecuteObjects(ID);
    const left = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'executes/' }));
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual([`executes/${other}/request-x.json`]);
  });

  it('round-trips a streamed upload byte for byte (no aws-chunked framing stored)', async () => {
    const bytes = randomBytes(13_000);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream/check.bin',
        Body: Readable.from([bytes]),
        ContentLength: bytes.length,
      }),
    );
    const { Body } = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream/check.bin' }));
    expect(Buffer.from(await Body!.transformToByteArray()).equals(bytes)).toBe(true);
  });
});
