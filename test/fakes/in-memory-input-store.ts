import type { InputStore, InputUpload, StoredInput } from '../../lambda/domain/ports';

/** InputStore in memory: `upload()` plays the client's PUT to the presigned URL. */
export class InMemoryInputStore implements InputStore {
  readonly inputs = new Map<string, StoredInput & { owner: string }>();
  readonly presigned: { owner: string; name: string; upload: InputUpload; expiresIn: number }[] = [];

  constructor(private readonly bucket = 'bucket') {}

  private key(owner: string, name: string) {
    return `${owner}/${name}`;
  }

  async presignUpload(owner: string, name: string, upload: InputUpload, expiresInSeconds: number) {
    this.presigned.push({ owner, name, upload, expiresIn: expiresInSeconds });
    return {
      method: 'PUT' as const,
      url: `https://upload.example/${owner}/${name}`,
      headers: { 'Content-Type': upload.contentType, 'Content-Length': String(upload.size) },
    };
  }

  /** The client's upload of a presigned input. */
  upload(owner: string, name: string, input: Partial<StoredInput> = {}) {
    this.inputs.set(this.key(owner, name), {
      owner,
      name,
      filename: name.replace(/^in-[0-9a-z]{17}-/, ''),
      content_type: 'image/png',
      size: 10,
      uploaded_at: '2026-12-01T00:00:00.000Z',
      expires_at: 0,
      ...input,
    });
  }

  async find(owner: string, name: string) {
    const found = this.inputs.get(this.key(owner, name));
    if (!found) return undefined;
    const { owner: _owner, ...input } = found;
    return input;
  }

  async list(owner: string, query: { limit: number; cursor?: string }) {
    const names = [...this.inputs.values()]
      .filter((input) => input.owner === owner)
      .map((input) => input.name)
      .sort()
      .filter((name) => !query.cursor || name > query.cursor);
    const page = names.slice(0, query.limit);
    const inputs = await Promise.all(page.map((name) => this.find(owner, name)));
    return {
      inputs: inputs as StoredInput[],
      cursor: names.length > query.limit ? page.at(-1)! : null,
    };
  }

  async put(owner: string, name: string, bytes: Uint8Array, contentType: string) {
    this.upload(owner, name, { size: bytes.byteLength, content_type: contentType });
  }

  async delete(owner: string, name: string) {
    return this.inputs.delete(this.key(owner, name));
  }

  uriOf(owner: string, name: string) {
    return `${this.prefixOf(owner)}${name}`;
  }

  prefixOf(owner: string) {
    return `s3://${this.bucket}/inputs/${owner}/`;
  }
}
