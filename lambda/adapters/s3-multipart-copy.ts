import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { planParts } from '../domain/models/multipart-plan';
import { runBounded } from '../platform/run-bounded';

/** S3's CopyObject takes objects up to 5 GiB; past that only a multipart copy does. */
export const SINGLE_COPY_LIMIT_BYTES = 5 * 1024 ** 3;
/** 512 MiB parts: a 25 GB checkpoint is ~50 UploadPartCopy calls. */
export const COPY_PART_BYTES = 512 * 1024 ** 2;
/** Parts copied at once: S3 copies each server-side, so more at once is more throughput. */
const COPY_CONCURRENCY = 8;

export interface S3Object {
  bucket: string;
  key: string;
}

/** CopySource as S3 reads it: bucket, then the key's segments percent-encoded. */
export const copySource = (from: S3Object) =>
  `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`;

/**
 * A server-side copy of an object of `size` bytes in parts (UploadPartCopy with byte ranges), for
 * objects CopyObject refuses. Like CopyObject it keeps the source's content type and metadata
 * (a model's SHA-256 rides there), and every part is read from the one version it started with
 * (CopySourceIfMatch), so a source replaced meanwhile fails the copy instead of mixing two. A
 * failed copy aborts its upload, so no parts are left to bill. `metadata` replaces the source's.
 */
export async function multipartCopy(
  s3: S3Client,
  from: S3Object,
  to: S3Object,
  size: number,
  partBytes = COPY_PART_BYTES,
  metadata?: Record<string, string>,
): Promise<void> {
  const source = await s3.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key }));
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: to.bucket,
      Key: to.key,
      ...(source.ContentType ? { ContentType: source.ContentType } : {}),
      ...(metadata || source.Metadata ? { Metadata: metadata ?? source.Metadata } : {}),
    }),
  );
  if (!UploadId) throw new Error(`S3 gave no upload id for ${to.bucket}/${to.key}`);
  try {
    const { partSize, parts } = planParts(size, partBytes);
    const etags: string[] = new Array(parts.length);
    await runBounded(parts.length, COPY_CONCURRENCY, async (index) => {
      const first = index * partSize;
      const { CopyPartResult } = await s3.send(
        new UploadPartCopyCommand({
          Bucket: to.bucket,
          Key: to.key,
          UploadId,
          PartNumber: index + 1,
          CopySource: copySource(from),
          CopySourceRange: `bytes=${first}-${first + parts[index]! - 1}`,
          ...(source.ETag ? { CopySourceIfMatch: source.ETag } : {}),
        }),
      );
      if (!CopyPartResult?.ETag) throw new Error(`S3 gave no ETag for part ${index + 1} of ${to.key}`);
      etags[index] = CopyPartResult.ETag;
    });
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
  } catch (error) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId }))
      .catch(() => undefined);
    throw error;
  }
}

/**
 * A server-side copy of any size: CopyObject up to `singleCopyBytes` (S3's 5 GiB), a multipart
 * copy past it. `metadata` replaces the source's (a copy otherwise keeps it).
 */
export async function copyObject(
  s3: S3Client,
  from: S3Object,
  to: S3Object,
  size: number | undefined,
  options: { singleCopyBytes?: number; partBytes?: number; metadata?: Record<string, string> } = {},
): Promise<void> {
  if (size !== undefined && size > (options.singleCopyBytes ?? SINGLE_COPY_LIMIT_BYTES))
    return multipartCopy(s3, from, to, size, options.partBytes, options.metadata);
  await s3.send(
    new CopyObjectCommand({
      Bucket: to.bucket,
      Key: to.key,
      CopySource: copySource(from),
      ...(options.metadata ? { MetadataDirective: 'REPLACE', Metadata: options.metadata } : {}),
    }),
  );
}
