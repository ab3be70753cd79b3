import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ModelLibrary, ModelUploadStart, ObjectInfo, StoredModel, UploadedPart } from '../domain/ports';
import { headObjectInfo } from './s3-payload-store';
import { literalKey } from './s3-uri';

export const MODELS_PREFIX = 'models/';

/** A library model's key, `models/{folder}/{name}`, checked by the backstop (literalKey). */
export const libraryKey = (folder: string, name: string) => literalKey(`${MODELS_PREFIX}${folder}/${name}`);

function storedModel(folder: string, name: string, info: ObjectInfo): StoredModel {
  return {
    folder,
    name,
    size: info.size,
    sha256: info.metadata.sha256 ?? null,
    source: info.metadata.source ?? null,
    last_modified: (info.lastModified ?? new Date(0)).toISOString(),
  };
}

/** S3's answers to a CompleteMultipartUpload the client got wrong. */
const REFUSALS = new Set([
  'InvalidPart',
  'InvalidPartOrder',
  'NoSuchUpload',
  'EntityTooSmall',
  'MalformedXML',
]);

/**
 * The model library on the payload bucket: `models/{folder}/{name}`, uploaded by multipart with
 * one presigned URL per part. The sha256 a client declares travels as object metadata.
 */
export class S3ModelLibrary implements ModelLibrary {
  constructor(
    private readonly s3: S3Client,
    /** Signs part uploads; built without the SDK's default request checksums (see clients.ts). */
    private readonly uploads: S3Client,
    private readonly bucket: string,
  ) {}

  /** The backstop (literalKey): a folder or name with dot segments is never sent to S3. */
  private key(folder: string, name: string) {
    return libraryKey(folder, name);
  }

  async startUpload(model: ModelUploadStart): Promise<string> {
    const started = await this.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key(model.folder, model.name),
        ContentType: 'application/octet-stream',
        Metadata: { 'declared-size': String(model.size), ...(model.sha256 ? { sha256: model.sha256 } : {}) },
      }),
    );
    if (!started.UploadId) throw new Error('S3 started a multipart upload without an UploadId');
    return started.UploadId;
  }

  presignPart(
    folder: string,
    name: string,
    uploadId: string,
    partNumber: number,
    size: number,
    ttlSeconds: number,
  ) {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: this.key(folder, name),
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: size,
    });
    return getSignedUrl(this.uploads, command, {
      expiresIn: ttlSeconds,
      signableHeaders: new Set(['content-length']),
    });
  }

  async complete(
    folder: string,
    name: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<{ model: StoredModel; declaredSize?: number } | { refused: string }> {
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.key(folder, name),
          UploadId: uploadId,
          MultipartUpload: {
            Parts: parts.map((part) => ({ PartNumber: part.part_number, ETag: part.etag })),
          },
        }),
      );
    } catch (error) {
      const code = (error as Error).name;
      if (REFUSALS.has(code)) return { refused: `${code}: ${(error as Error).message}` };
      throw error;
    }
    // One HeadObject answers both: the model as stored, and the size its upload declared.
    const info = await headObjectInfo(this.s3, this.bucket, this.key(folder, name));
    if (!info) throw new Error(`models/${folder}/${name} is missing right after its upload completed`);
    const declared = Number(info.metadata['declared-size']);
    return {
      model: storedModel(folder, name, info),
      ...(Number.isFinite(declared) ? { declaredSize: declared } : {}),
    };
  }

  async openUploads(folder: string, name: string): Promise<string[]> {
    const key = this.key(folder, name);
    const page = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key }));
    return (page.Uploads ?? []).flatMap((upload) =>
      upload.Key === key && upload.UploadId ? [upload.UploadId] : [],
    );
  }

  async abortUploads(folder: string, name: string): Promise<void> {
    const key = this.key(folder, name);
    for (const uploadId of await this.openUploads(folder, name))
      await this.s3
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
        .catch((error: Error) => {
          if (error.name !== 'NoSuchUpload') throw error;
        });
  }

  async find(folder: string, name: string): Promise<StoredModel | undefined> {
    const info = await headObjectInfo(this.s3, this.bucket, this.key(folder, name));
    return info && storedModel(folder, name, info);
  }

  /** One listing of up to 1,000 keys cut to the page (as the inputs listing); each row's sha256 from a HeadObject. */
  async list(query: { folder?: string; limit: number; cursor?: string }) {
    const prefix = literalKey(`${MODELS_PREFIX}${query.folder ? `${query.folder}/` : ''}`, { prefix: true });
    const page = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix,
        ...(query.cursor ? { StartAfter: literalKey(`${MODELS_PREFIX}${query.cursor}`) } : {}),
      }),
    );
    const keys = (page.Contents ?? []).flatMap((object) =>
      object.Key && !object.Key.endsWith('/') ? [object.Key] : [],
    );
    const shown = keys.slice(0, query.limit);
    const found = await Promise.all(
      shown.map((key) => {
        const [folder, ...rest] = key.slice(MODELS_PREFIX.length).split('/');
        return this.find(folder!, rest.join('/'));
      }),
    );
    const more = keys.length > query.limit || page.IsTruncated === true;
    return {
      models: found.filter((model): model is StoredModel => model !== undefined),
      cursor: more && shown.length > 0 ? shown.at(-1)!.slice(MODELS_PREFIX.length) : null,
    };
  }

  async delete(folder: string, name: string): Promise<boolean> {
    if (!(await this.find(folder, name))) return false;
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(folder, name) }));
    return true;
  }
}
