import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { InputStore, InputUpload, PresignedUpload, StoredInput } from '../domain/ports';
import { headObjectInfo } from './s3-payload-store';
import { literalKey, s3Uri, UnsafeObjectKeyError } from './s3-uri';

const NAME_HEAD = /^in-[0-9a-z]{17}-/;
const SHA256_HEADER = 'x-amz-meta-sha256';

/**
 * Uploaded inputs on the payload bucket: `inputs/{owner digest}/{name}`. One prefix per API key,
 * so one key's listing, lookup or delete can never reach another's files; the digest keeps key
 * ids (whatever their characters) out of object keys. Names sort newest first (see
 * uploaded-input-name.ts), which is the order S3 lists them in.
 */
export class S3InputStore implements InputStore {
  constructor(
    private readonly s3: S3Client,
    /** Signs uploads; built without the SDK's default request checksums (see clients.ts). */
    private readonly uploads: S3Client,
    private readonly bucket: string,
    private readonly retentionDays: number,
  ) {}

  private prefix(owner: string): string {
    return `inputs/${createHash('sha256').update(owner).digest('hex').slice(0, 32)}/`;
  }

  /** The backstop: a name that would leave the owner's prefix (resolved or not) is never sent. */
  private key(owner: string, name: string): string {
    const prefix = this.prefix(owner);
    const key = literalKey(`${prefix}${name}`);
    if (!key.startsWith(prefix) || key === prefix)
      throw new UnsafeObjectKeyError(`refusing the input name '${name}': not a key under its owner's prefix`);
    return key;
  }

  uriOf(owner: string, name: string): string {
    return s3Uri(this.bucket, this.key(owner, name));
  }

  prefixOf(owner: string): string {
    return s3Uri(this.bucket, this.prefix(owner));
  }

  /**
   * A PUT whose signature covers the length, the type and the declared SHA-256 (user metadata, a
   * signed `x-amz-meta-*` header): S3 refuses any other size or type, and stores the hash as told.
   */
  async presignUpload(
    owner: string,
    name: string,
    upload: InputUpload,
    expiresInSeconds: number,
  ): Promise<PresignedUpload> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.key(owner, name),
      ContentType: upload.contentType,
      ContentLength: upload.size,
      ...(upload.sha256 ? { Metadata: { sha256: upload.sha256 } } : {}),
    });
    const url = await getSignedUrl(this.uploads, command, {
      expiresIn: expiresInSeconds,
      signableHeaders: new Set(['content-type', 'content-length', ...(upload.sha256 ? [SHA256_HEADER] : [])]),
      // A header the uploader sends, not a query parameter the presigner would hoist it into.
      unhoistableHeaders: new Set(upload.sha256 ? [SHA256_HEADER] : []),
    });
    return {
      method: 'PUT',
      url,
      headers: {
        'Content-Type': upload.contentType,
        'Content-Length': String(upload.size),
        ...(upload.sha256 ? { [SHA256_HEADER]: upload.sha256 } : {}),
      },
    };
  }

  async put(owner: string, name: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(owner, name),
        Body: bytes,
        ContentType: contentType,
        // Recorded as a client's declared one is: an upload through ComfyUI's route is reusable too.
        Metadata: { sha256: createHash('sha256').update(bytes).digest('hex') },
      }),
    );
  }

  private stored(
    name: string,
    size: number,
    contentType: string | undefined,
    modified: Date | undefined,
    sha256: string | undefined,
  ): StoredInput {
    const uploadedAt = modified ?? new Date(0);
    return {
      name,
      filename: name.replace(NAME_HEAD, ''),
      content_type: contentType ?? 'application/octet-stream',
      size,
      uploaded_at: uploadedAt.toISOString(),
      expires_at: Math.floor(uploadedAt.getTime() / 1000) + this.retentionDays * 86_400,
      // Metadata is whatever the uploader's signed header said: only a well-formed hash is listed.
      ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
    };
  }

  async find(owner: string, name: string): Promise<StoredInput | undefined> {
    const info = await headObjectInfo(this.s3, this.bucket, this.key(owner, name));
    return info && this.stored(name, info.size, info.contentType, info.lastModified, info.metadata.sha256);
  }

  /** S3 lists no content types: each row's comes from a HeadObject (a page is at most 100 rows). */
  async list(
    owner: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ inputs: StoredInput[]; cursor: string | null }> {
    const prefix = this.prefix(owner);
    // One listing of up to 1,000 keys, cut to the page here: s3rver fails on a truncated
    // MaxKeys listing, and S3 answers the same either way.
    const page = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix,
        ...(query.cursor ? { StartAfter: this.key(owner, query.cursor) } : {}),
      }),
    );
    const listed = (page.Contents ?? []).flatMap((object) =>
      object.Key ? [object.Key.slice(prefix.length)] : [],
    );
    const names = listed.slice(0, query.limit);
    const more = listed.length > query.limit || page.IsTruncated === true;
    // An object deleted between the listing and its head is simply left out.
    const found = await Promise.all(names.map((name) => this.find(owner, name)));
    const inputs = found.filter((input): input is StoredInput => input !== undefined);
    return { inputs, cursor: more && names.length > 0 ? names.at(-1)! : null };
  }

  async delete(owner: string, name: string): Promise<boolean> {
    if (!(await this.find(owner, name))) return false;
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(owner, name) }));
    return true;
  }
}
