/** The model library's port (lambda/adapters/s3-model-library.ts on S3), apart from ports.ts by size. */

/** A model file in the library: `models/{folder}/{name}`. */
export interface StoredModel {
  folder: string;
  name: string;
  size: number;
  /** Hex SHA-256 when the uploader gave one (the endpoint verifies downloads against it). */
  sha256: string | null;
  /** The URL an import fetched it from; null for an upload or a copy. */
  source: string | null;
  last_modified: string;
}

export interface ModelUploadStart {
  folder: string;
  name: string;
  size: number;
  sha256?: string;
}

export interface UploadedPart {
  part_number: number;
  etag: string;
}

/** The model library: multipart uploads straight to S3, listing and deleting. */
export interface ModelLibrary {
  /** Starts a multipart upload (the declared size and sha256 travel with it); returns its id. */
  startUpload(model: ModelUploadStart): Promise<string>;
  /** A URL that accepts exactly one part of exactly `size` bytes. */
  presignPart(
    folder: string,
    name: string,
    uploadId: string,
    partNumber: number,
    size: number,
    ttlSeconds: number,
  ): Promise<string>;
  /**
   * Assembles the parts: the model and the size its upload was started with, or S3's refusal
   * (unknown upload, wrong or missing parts).
   */
  complete(
    folder: string,
    name: string,
    uploadId: string,
    parts: UploadedPart[],
  ): Promise<{ model: StoredModel; declaredSize?: number } | { refused: string }>;
  find(folder: string, name: string): Promise<StoredModel | undefined>;
  /** Multipart uploads of this model started and not yet completed or aborted (their ids). */
  openUploads(folder: string, name: string): Promise<string[]>;
  /** Ends them: an import that publishes is not replaced by an upload completed afterwards. */
  abortUploads(folder: string, name: string): Promise<void>;
  /** Sorted by folder, then name. */
  list(query: {
    folder?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ models: StoredModel[]; cursor: string | null }>;
  /** False when there was no such model. */
  delete(folder: string, name: string): Promise<boolean>;
}
