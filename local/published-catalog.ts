import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { objectInfoKey } from '../container/src/publish-object-info';

/**
 * A copy left in DATA_DIR by an earlier run may describe another ComfyUI (another OBJECT_INFO or
 * COMFYUI_URL): removed before the container starts, so only this run's copy is ever read.
 */
export async function forgetPublishedCatalog(s3: S3Client, bucket: string, endpointName: string) {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectInfoKey(endpointName) }));
}

/**
 * Waits until the endpoint container has published its ComfyUI's /object_info: from then on
 * CreateExecute validates against the endpoint's catalog, not the bundled core one, so "Ready."
 * is printed only after this.
 */
export async function waitForPublishedCatalog(
  s3: S3Client,
  bucket: string,
  endpointName: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectInfoKey(endpointName) }));
      return;
    } catch (error) {
      if ((error as Error).name !== 'NotFound') throw error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `the endpoint container did not publish ComfyUI's /object_info within ${timeoutMs} ms (is ComfyUI answering?)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
