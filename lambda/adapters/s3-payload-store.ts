import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PayloadStore } from '../domain/ports';
import { executePrefix, parseS3Uri, s3Uri } from './s3-uri';
import { urlSignerFor } from './s3-url-signer';

function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** PayloadStore on one S3 bucket, objects under `executes/{prompt_id}/`. */
export class S3PayloadStore implements PayloadStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * The key carries the request's digest: two concurrent requests with one prompt_id and
   * different bodies stage different objects, so the loser can never overwrite what the
   * winner's record points at (the loser deletes its own object).
   */
  async putRequest(promptId: string, digest: string, body: string): Promise<string> {
    const key = `${executePrefix(promptId)}request-${digest.slice(0, 16)}.json`;
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
    return s3Uri(this.bucket, key);
  }

  async putWorkflow(promptId: string, digest: string, body: string): Promise<string> {
    const key = `${executePrefix(promptId)}workflow-${digest.slice(0, 16)}.json`;
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
    return s3Uri(this.bucket, key);
  }

  async getText(uri: string): Promise<string | undefined> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Body ? await Body.transformToString('utf8') : '';
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async deleteObject(uri: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async deleteExecuteObjects(promptId: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: executePrefix(promptId),
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

  async presignGet(uri: string, expiresInSeconds: number): Promise<string> {
    const { bucket, key } = parseS3Uri(uri);
    return urlSignerFor(this.s3).sign(bucket, key, expiresInSeconds);
  }
}
