import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runBounded } from '../../lambda/platform/run-bounded';

export interface RangedDownloadOptions {
  /** Bytes per ranged GetObject. @default 16 MiB */
  partBytes?: number;
  /** Ranged GetObjects in flight at once. @default 8 */
  concurrency?: number;
  onBytes?: (done: number) => void;
  /** Called as the prefix of the file that is completely written grows (bytes from 0). */
  onContiguous?: (bytes: number) => void;
}

/**
 * Downloads an object of known size into `destination` with ranged GetObjects in parallel, each
 * written at its own offset: one stream is bound by one connection's throughput, several are
 * bound by S3's and the instance's.
 */
export async function rangedDownload(
  s3: S3Client,
  location: { bucket: string; key: string; size: number },
  destination: string,
  options: RangedDownloadOptions = {},
): Promise<void> {
  const partBytes = options.partBytes ?? 16 * 1024 ** 2;
  const ranges: [number, number][] = [];
  for (let start = 0; start < location.size; start += partBytes)
    ranges.push([start, Math.min(location.size, start + partBytes) - 1]);
  const file = await open(destination, 'w');
  let done = 0;
  // Ranges finish out of order: the written prefix grows when the next range in order is done.
  const finished = new Set<number>();
  let prefixRanges = 0;
  const rangeDone = (index: number) => {
    finished.add(index);
    while (finished.has(prefixRanges)) finished.delete(prefixRanges++);
    options.onContiguous?.(prefixRanges === ranges.length ? location.size : ranges[prefixRanges]![0]);
  };
  try {
    // After a failed range none starts, and those under way end before the file is closed.
    await runBounded(ranges.length, options.concurrency ?? 8, async (index) => {
      const [start, end] = ranges[index]!;
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: location.key,
          Range: `bytes=${start}-${end}`,
        }),
      );
      let position = start;
      for await (const chunk of object.Body as Readable) {
        const bytes = chunk as Buffer;
        if (position + bytes.length > end + 1)
          throw new Error(`S3 sent more than range ${start}-${end} of ${location.key}`);
        await file.write(bytes, 0, bytes.length, position);
        position += bytes.length;
        done += bytes.length;
        options.onBytes?.(done);
      }
      if (position !== end + 1)
        throw new Error(`range ${start}-${end} of ${location.key} ended after ${position - start} bytes`);
      rangeDone(index);
    });
  } finally {
    await file.close();
  }
}
