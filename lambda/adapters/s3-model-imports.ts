import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type {
  ImportedPart,
  ModelImportState,
  ModelImportStore,
  WriteCondition,
} from '../domain/models/model-import';
import { libraryKey } from './s3-model-library';
import { copyObject } from './s3-multipart-copy';
import { literalKey } from './s3-uri';

/** Imports in progress and their outcomes, beside (never inside) the library's `models/`. */
export const MODEL_IMPORTS_PREFIX = 'model-imports/';

const named = (error: unknown, ...names: string[]) => names.includes((error as Error).name);

/**
 * The imports on the payload bucket: `model-imports/{folder}/{name}.json` is an import's state,
 * `.data` the multipart upload its parts fill. The file reaches `models/` only once it is whole
 * and its SHA-256 checked, by a server-side copy: the library never holds a partial or
 * unverified model.
 */
export class S3ModelImports implements ModelImportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private key(folder: string, name: string, suffix: '.json' | '.data') {
    return literalKey(`${MODEL_IMPORTS_PREFIX}${folder}/${name}${suffix}`);
  }

  private staged(state: ModelImportState) {
    return { Bucket: this.bucket, Key: this.key(state.folder, state.name, '.data') };
  }

  async read(folder: string, name: string): Promise<ModelImportState | undefined> {
    return (await this.readVersioned(folder, name))?.state;
  }

  async readVersioned(folder: string, name: string) {
    try {
      const answer = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(folder, name, '.json') }),
      );
      const state = JSON.parse(await answer.Body!.transformToString('utf8')) as ModelImportState;
      return { state, version: answer.ETag ?? '' };
    } catch (error) {
      // Without s3:ListBucket, S3 answers a missing key with 403: the grant on this prefix is GetObject.
      if (named(error, 'NoSuchKey', 'NotFound', 'AccessDenied')) return undefined;
      throw error;
    }
  }

  async write(state: ModelImportState, condition?: WriteCondition): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(state.folder, state.name, '.json'),
          Body: JSON.stringify(state),
          ContentType: 'application/json',
          ...(condition && 'version' in condition ? { IfMatch: condition.version } : {}),
          ...(condition && 'absent' in condition ? { IfNoneMatch: '*' } : {}),
        }),
      );
      return true;
    } catch (error) {
      // 412: the condition failed; 409: a write of the same key raced this one; 404: If-Match, no key.
      if (condition && named(error, 'PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'))
        return false;
      throw error;
    }
  }

  async remove(folder: string, name: string): Promise<void> {
    await this.s3.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(folder, name, '.json') }),
    );
  }

  async startUpload(folder: string, name: string): Promise<string> {
    const started = await this.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key(folder, name, '.data'),
        ContentType: 'application/octet-stream',
      }),
    );
    if (!started.UploadId) throw new Error('S3 started a multipart upload without an UploadId');
    return started.UploadId;
  }

  async uploadPart(state: ModelImportState, partNumber: number, body: Uint8Array) {
    try {
      const { ETag } = await this.s3.send(
        new UploadPartCommand({
          ...this.staged(state),
          UploadId: state.upload_id,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
        }),
      );
      if (!ETag) throw new Error(`S3 gave no ETag for part ${partNumber} of ${state.folder}/${state.name}`);
      return ETag;
    } catch (error) {
      if (named(error, 'NoSuchUpload')) return 'gone' as const;
      throw error;
    }
  }

  async listParts(state: ModelImportState): Promise<ImportedPart[] | 'gone'> {
    const parts: ImportedPart[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListPartsCommand({
            ...this.staged(state),
            UploadId: state.upload_id,
            PartNumberMarker: marker,
          }),
        );
        for (const part of page.Parts ?? [])
          parts.push({ part_number: part.PartNumber!, etag: part.ETag!, size: part.Size ?? 0 });
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
    } catch (error) {
      if (named(error, 'NoSuchUpload')) return 'gone';
      throw error;
    }
    return parts;
  }

  async complete(state: ModelImportState, parts: ImportedPart[]) {
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          ...this.staged(state),
          UploadId: state.upload_id,
          MultipartUpload: {
            Parts: parts.map((part) => ({ PartNumber: part.part_number, ETag: part.etag })),
          },
        }),
      );
      return 'done' as const;
    } catch (error) {
      if (named(error, 'NoSuchUpload')) return 'gone' as const;
      throw error;
    }
  }

  async abort(state: ModelImportState): Promise<void> {
    try {
      await this.s3.send(
        new AbortMultipartUploadCommand({ ...this.staged(state), UploadId: state.upload_id }),
      );
    } catch (error) {
      if (!named(error, 'NoSuchUpload')) throw error;
    }
  }

  async hashStaged(state: ModelImportState) {
    let body: Readable;
    try {
      body = (await this.s3.send(new GetObjectCommand(this.staged(state)))).Body as Readable;
    } catch (error) {
      if (named(error, 'NoSuchKey', 'AccessDenied')) return undefined;
      throw error;
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { sha256: hash.digest('hex'), size };
  }

  async publish(state: ModelImportState, sha256: string): Promise<void> {
    const staged = { bucket: this.bucket, key: this.staged(state).Key };
    const target = { bucket: this.bucket, key: libraryKey(state.folder, state.name) };
    // The library's model records its checksum and where it came from (what ListModels shows).
    await copyObject(this.s3, staged, target, state.size, { metadata: { sha256, source: state.source } });
  }

  async removeStaged(state: ModelImportState): Promise<void> {
    await this.s3.send(new DeleteObjectCommand(this.staged(state)));
  }
}
