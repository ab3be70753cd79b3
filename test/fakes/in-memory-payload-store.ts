import type { ListedObject, ObjectInfo, PayloadStore } from '../../lambda/domain/ports';

/** PayloadStore in memory: objects keyed by their s3:// URI. */
export class InMemoryPayloadStore implements PayloadStore {
  readonly objects = new Map<string, string>();
  /** Files (inputs) by URI, with their content type. */
  readonly files = new Map<string, { bytes: Uint8Array; contentType?: string }>();

  constructor(private readonly bucket = 'bucket') {}

  requestUri(promptId: string, digest: string) {
    return `s3://${this.bucket}/executes/${promptId}/request-${digest.slice(0, 16)}.json`;
  }

  workflowUri(promptId: string, digest: string) {
    return `s3://${this.bucket}/executes/${promptId}/workflow-${digest.slice(0, 16)}.json`;
  }

  async putRequest(promptId: string, digest: string, body: string) {
    const uri = this.requestUri(promptId, digest);
    this.objects.set(uri, body);
    return uri;
  }

  async putWorkflow(promptId: string, digest: string, body: string) {
    const uri = this.workflowUri(promptId, digest);
    this.objects.set(uri, body);
    return uri;
  }

  async getText(uri: string) {
    return this.objects.get(uri);
  }

  async getBytes(uri: string) {
    const text = this.objects.get(uri);
    return this.files.get(uri)?.bytes ?? (text === undefined ? undefined : new TextEncoder().encode(text));
  }

  async deleteObject(uri: string) {
    this.objects.delete(uri);
    this.files.delete(uri);
  }

  async deleteExecuteObjects(promptId: string) {
    for (const map of [this.objects, this.files]) {
      for (const uri of map.keys()) {
        if (uri.startsWith(`s3://${this.bucket}/executes/${promptId}/`)) map.delete(uri);
      }
    }
  }

  inputFileUri(promptId: string, digest: string, filename: string) {
    return `s3://${this.bucket}/executes/${promptId}/inputs-${digest.slice(0, 16)}/${filename}`;
  }

  async putInputFile(
    promptId: string,
    digest: string,
    filename: string,
    bytes: Uint8Array,
    contentType?: string,
  ) {
    const uri = this.inputFileUri(promptId, digest, filename);
    this.files.set(uri, { bytes, ...(contentType ? { contentType } : {}) });
    return uri;
  }

  /** Every copy asked for, with the size the caller gave. */
  readonly copies: { from: string; to: string; size: number | undefined }[] = [];
  /** Sizes listings report instead of the bytes held (an object too large to hold in a test). */
  readonly listedSizes = new Map<string, number>();

  async copyObject(fromUri: string, toUri: string, size?: number) {
    this.copies.push({ from: fromUri, to: toUri, size });
    const file = this.files.get(fromUri);
    if (file) this.files.set(toUri, { ...file });
    const text = this.objects.get(fromUri);
    if (text !== undefined) this.objects.set(toUri, text);
    if (!file && text === undefined) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
  }

  async headObject(uri: string): Promise<ObjectInfo | undefined> {
    const file = this.files.get(uri);
    if (file) return { size: file.bytes.length, contentType: file.contentType, metadata: {} };
    const text = this.objects.get(uri);
    return text === undefined ? undefined : { size: Buffer.byteLength(text), metadata: {} };
  }

  async listUnder(prefixUri: string, max: number) {
    const uris = [...this.files.keys(), ...this.objects.keys()]
      .filter((uri) => uri.startsWith(prefixUri))
      .sort();
    const objects: ListedObject[] = uris.slice(0, max).map((uri) => ({
      relativeKey: uri.slice(prefixUri.length),
      size:
        this.listedSizes.get(uri) ??
        this.files.get(uri)?.bytes.length ??
        Buffer.byteLength(this.objects.get(uri) ?? ''),
    }));
    return { objects, truncated: uris.length > max };
  }

  async presignGet(uri: string, expiresInSeconds: number) {
    return `https://signed.example/${uri.replace('s3://', '')}?expires=${expiresInSeconds}`;
  }
}
