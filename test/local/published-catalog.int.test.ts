import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { objectInfoKey } from '../../container/src/publish-object-info';
import { forgetPublishedCatalog, waitForPublishedCatalog } from '../../local/published-catalog';
import { useFreshBucket } from '../support/local-aws';

const { clients, bucket } = useFreshBucket();

const publish = (endpoint: string) =>
  clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: objectInfoKey(endpoint), Body: '{}' }));

describe("the local stack's wait for the endpoint's catalog", () => {
  it('forgets a copy an earlier run left, then waits until the container publishes again', async () => {
    await publish('stale');
    await forgetPublishedCatalog(clients.s3, bucket(), 'stale');
    let settled = false;
    const waiting = waitForPublishedCatalog(clients.s3, bucket(), 'stale', 10_000).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toBe(false);
    await publish('stale');
    await waiting;
    expect(settled).toBe(true);
  });

  it('gives up with a reason when nothing is published', async () => {
    await expect(waitForPublishedCatalog(clients.s3, bucket(), 'never', 300)).rejects.toThrow(
      /did not publish ComfyUI's \/object_info within 300 ms/,
    );
  });
});
