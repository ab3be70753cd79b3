import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ListedObject, ObjectInfo, PayloadStore } from '../domain/ports';
import { copyObject, SINGLE_COPY_LIMIT_BYTES } from './s3-multipart-copy';
import { executePrefix, literalKey, parseS3Uri, s3Uri } from './s3-uri';
import { urlSignerFor } from './s3-url-signer';

export function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** HeadObject as ObjectInfo; undefined when missing, or not ours to read (another account's bucket). */
export async function headObjectInfo(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ObjectInfo | undefined> {
  literalKey(key);
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      ...(head.ContentType ? { contentType: head.ContentType } : {}),
      ...(head.LastModified ? { lastModified: head.LastModified } : {}),
      metadata: head.Metadata ?? {},
    };
  } catch (error) {
    if (isMissing(error) || (error as Error).name === 'Forbidden' || (error as Error).name === 'AccessDenied')
      return undefined;
    throw error;
  }
}

/** An s3:// URI's bucket and key, the key checked by the backstop (literalKey). */
function objectOf(uri: string, options: { prefix?: boolean } = {}) {
  const { bucket, key } = parseS3Uri(uri);
  return { bucket, key: literalKey(key, options) };
}

/** PayloadStore on one S3 bucket, objects under `executes/{prompt_id}/`. */
export class S3PayloadStore implements PayloadStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Where a copy goes multipart, and its part size (tests make both small). */
    private readonly copyLimits: { singleCopyBytes: number; partBytes?: number } = {
      singleCopyBytes: SINGLE_COPY_LIMIT_BYTES,
    },
  ) {}

  /**
   * The key carries the request's digest: two concurrent requests with one prompt_id and
   * different bodies stage different objects, so the loser can never overwrite what the
   * winner's record points at (the loser deletes its own object).
   */
  requestUri(promptId: string, digest: string): string {
    return s3Uri(this.bucket, literalKey(`${executePrefix(promptId)}request-${digest.slice(0, 16)}.json`));
  }

  workflowUri(promptId: string, digest: string): string {
    return s3Uri(this.bucket, literalKey(`${executePrefix(promptId)}workflow-${digest.slice(0, 16)}.json`));
  }

  async putRequest(promptId: string, digest: string, body: string): Promise<string> {
    return this.putJson(this.requestUri(promptId, digest), body);
  }

  async putWorkflow(promptId: string, digest: string, body: string): Promise<string> {
    return this.putJson(this.workflowUri(promptId, digest), body);
  }

  private async putJson(uri: string, body: string): Promise<string> {
    const { bucket, key } = parseS3Uri(uri);
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
    return uri;
  }

  async getText(uri: string): Promise<string | undefined> {
    const bytes = await this.getBytes(uri);
    return bytes && new TextDecoder().decode(bytes);
  }

  async getBytes(uri: string): Promise<Uint8Array | undefined> {
    const { bucket, key } = objectOf(uri);
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Body ? await Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async deleteObject(uri: string): Promise<void> {
    const { bucket, key } = objectOf(uri);
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async deleteExecuteObjects(promptId: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: literalKey(executePrefix(promptId), { prefix: true }),
          ContinuationToken: token,
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const { Errors } = await this.s3.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        if (Errors && Errors.length > 0) {
          throw new Error(
            `could not delete ${Errors.length} object(s) of ${promptId}: ${Errors[0]?.Message ?? ''}`,
          );
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Under `executes/{id}/inputs-{digest}/`: a concurrent request with other inputs never overwrites these. */
  inputFileUri(promptId: string, digest: string, filename: string): string {
    return s3Uri(
      this.bucket,
      literalKey(`${executePrefix(promptId)}inputs-${digest.slice(0, 16)}/${filename}`),
    );
  }

  async putInputFile(
    promptId: string,
    digest: string,
    filename: string,
    bytes: Uint8Array,
    contentType?: string,
  ): Promise<string> {
    const key = objectOf(this.inputFileUri(promptId, digest, filename)).key;
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        ...(contentType ? { ContentType: contentType } : {}),
      }),
    );
    return s3Uri(this.bucket, key);
  }

  async copyObject(fromUri: string, toUri: string, size?: number): Promise<void> {
    const from = objectOf(fromUri);
    const to = objectOf(toUri);
    await copyObject(this.s3, from, to, size, this.copyLimits);
  }

  async headObject(uri: string): Promise<ObjectInfo | undefined> {
    const { bucket, key } = objectOf(uri);
    return headObjectInfo(this.s3, bucket, key);
  }

  async listUnder(prefixUri: string, max: number): Promise<{ objects: ListedObject[]; truncated: boolean }> {
    const { bucket, key: prefix } = objectOf(prefixUri, { prefix: true });
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        // Folder markers (keys ending in '/') hold no file.
        if (!object.Key || object.Key.endsWith('/')) continue;
        if (objects.length === max) return { objects, truncated: true };
        objects.push({ relativeKey: object.Key.slice(prefix.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { objects, truncated: false };
  }

  async presignGet(uri: string, expiresInSeconds: number): Promise<string> {
    const { bucket, key } = objectOf(uri);
    return urlSignerFor(this.s3).sign(bucket, key, expiresInSeconds);
  }
}
