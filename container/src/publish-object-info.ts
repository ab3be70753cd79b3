import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ComfyUiClient } from './comfy-client';

export function objectInfoKey(endpointName: string): string {
  return `endpoints/${endpointName}/object_info.json`;
}

/**
 * Publishes ComfyUI's /object_info for the control plane's node catalog once ComfyUI is up:
 * `s3://BUCKET/endpoints/{endpoint}/object_info.json`. Retries until it succeeds or `signal` aborts.
 */
export async function publishObjectInfo(
  comfy: ComfyUiClient,
  s3: S3Client,
  target: { bucket: string; endpointName: string },
  options: { retryMs?: number; signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<string | undefined> {
  const key = objectInfoKey(target.endpointName);
  while (!options.signal?.aborted) {
    try {
      if (await comfy.isUp(2000)) {
        const info = await comfy.objectInfo();
        await s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: key,
            Body: JSON.stringify(info),
            ContentType: 'application/json',
          }),
        );
        return `s3://${target.bucket}/${key}`;
      }
    } catch (error) {
      options.log?.(`publishing object_info failed, retrying: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2000));
  }
  return undefined;
}
