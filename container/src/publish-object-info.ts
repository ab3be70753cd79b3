import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ComfyUiClient } from './comfy-client';

export function objectInfoKey(endpointName: string): string {
  return `endpoints/${endpointName}/object_info.json`;
}

/** Where ComfyUI's /system_stats is published, for the control plane's GET /comfyui/system_stats. */
export function systemStatsKey(endpointName: string): string {
  return `endpoints/${endpointName}/system_stats.json`;
}

/**
 * Publishes ComfyUI's /system_stats, then its /object_info for the control plane's node catalog,
 * once ComfyUI is up: `s3://BUCKET/endpoints/{endpoint}/{system_stats,object_info}.json` (the
 * catalog last: its arrival is what `npm start` waits for). Retries until it succeeds or `signal` aborts.
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
        const put = (objectKey: string, body: unknown) =>
          s3.send(
            new PutObjectCommand({
              Bucket: target.bucket,
              Key: objectKey,
              Body: JSON.stringify(body),
              ContentType: 'application/json',
            }),
          );
        await put(systemStatsKey(target.endpointName), await comfy.systemStats());
        await put(key, await comfy.objectInfo());
        return `s3://${target.bucket}/${key}`;
      }
    } catch (error) {
      options.log?.(`publishing object_info failed, retrying: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 2000));
  }
  return undefined;
}
