import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3NodeCatalogSource } from '../../lambda/adapters/s3-node-catalog';
import type { NodeCatalog } from '../../lambda/domain/workflow/node-catalog';
import { AwsCallCounter } from '../../lambda/platform/aws-call-counter';
import { freshTableAndBucket, localClients } from '../support/local-aws';

const clients = localClients();
const counter = new AwsCallCounter();
counter.attach(clients.s3);
let bucket: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshTableAndBucket(clients);
  bucket = fresh.bucketName;
  drop = fresh.drop;
});
afterAll(() => drop());

const FALLBACK = { CoreOnly: {} } as unknown as NodeCatalog;
const publish = (endpoint: string, body: string) =>
  clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `endpoints/${endpoint}/object_info.json`, Body: body }),
  );
/** The catalog's node names, and the S3 GetObject calls it took to answer. */
const lookup = (source: S3NodeCatalogSource, endpoint: string) =>
  counter.run(async (calls) => {
    const catalog = await source.forEndpoint(endpoint);
    return { nodes: Object.keys(catalog), gets: calls()['S3.GetObject'] ?? 0 };
  });

describe('S3NodeCatalogSource on s3rver', () => {
  it('answers the bundled catalog until the endpoint publishes, asking S3 at most once per interval', async () => {
    const source = new S3NodeCatalogSource(clients.s3, bucket, () => FALLBACK, 60_000, 60_000);
    expect(await lookup(source, 'not-yet')).toEqual({ nodes: ['CoreOnly'], gets: 1 });
    expect(await lookup(source, 'not-yet')).toEqual({ nodes: ['CoreOnly'], gets: 0 });
  });

  it('sees an object_info published after a miss once the short miss interval has passed', async () => {
    const source = new S3NodeCatalogSource(clients.s3, bucket, () => FALLBACK, 60_000, 0);
    expect((await lookup(source, 'booting')).nodes).toEqual(['CoreOnly']);
    await publish('booting', JSON.stringify({ KSampler: {}, MyCustomNode: {} }));
    expect(await lookup(source, 'booting')).toEqual({ nodes: ['KSampler', 'MyCustomNode'], gets: 1 });
  });

  it('caches within its max age, revalidates by ETag after it, and picks up a changed object', async () => {
    await publish('live', JSON.stringify({ First: {} }));
    const cached = new S3NodeCatalogSource(clients.s3, bucket, () => FALLBACK, 60_000);
    expect(await lookup(cached, 'live')).toEqual({ nodes: ['First'], gets: 1 });
    expect(await lookup(cached, 'live')).toEqual({ nodes: ['First'], gets: 0 });

    const revalidating = new S3NodeCatalogSource(clients.s3, bucket, () => FALLBACK, 0);
    expect((await lookup(revalidating, 'live')).nodes).toEqual(['First']);
    expect(await lookup(revalidating, 'live')).toEqual({ nodes: ['First'], gets: 1 }); // 304
    await publish('live', JSON.stringify({ Second: {} }));
    expect(await lookup(revalidating, 'live')).toEqual({ nodes: ['Second'], gets: 1 });
  });

  it('keeps the catalog it had when the object reads as broken JSON (caught mid-write)', async () => {
    await publish('torn', JSON.stringify({ Whole: {} }));
    const source = new S3NodeCatalogSource(clients.s3, bucket, () => FALLBACK, 0);
    expect((await lookup(source, 'torn')).nodes).toEqual(['Whole']);
    await publish('torn', '{"Whole": {');
    expect((await lookup(source, 'torn')).nodes).toEqual(['Whole']);
  });
});
