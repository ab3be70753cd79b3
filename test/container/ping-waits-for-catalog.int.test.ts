import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerHarness } from './harness';

/** /ping until it answers `status`, or `attempts` probes (one a second, as SageMaker probes). */
async function pingUntil(url: string, status: number, attempts: number): Promise<number> {
  let last = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    last = (await fetch(`${url}/ping`)).status;
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return last;
}

// The catalog goes to a bucket that does not exist yet, so publishing fails until it is made.
const lateBucket = `comfy-exec-late-${randomUUID().slice(0, 8)}`;
let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  harness = await startContainerHarness({ env: { BUCKET_NAME: lateBucket } });
});
afterAll(async () => {
  await harness.stop();
  const listed = await harness.clients.s3.send(new ListObjectsV2Command({ Bucket: lateBucket }));
  for (const object of listed.Contents ?? [])
    await harness.clients.s3.send(new DeleteObjectCommand({ Bucket: lateBucket, Key: object.Key }));
  await harness.clients.s3.send(new DeleteBucketCommand({ Bucket: lateBucket }));
});

describe('endpoint container: /ping waits for the catalog', () => {
  it('fails while ComfyUI answers but its catalog is not in S3, then passes once it is', async () => {
    const comfyUp = await fetch(`${harness.simulator!.url}/system_stats`);
    expect(comfyUp.status).toBe(200);
    // The bucket does not exist, so no publication can have succeeded yet.
    expect((await fetch(`${harness.url}/ping`)).status).toBe(503);

    await harness.clients.s3.send(new CreateBucketCommand({ Bucket: lateBucket }));
    expect(await pingUntil(harness.url, 200, 30)).toBe(200);
  });
});
