import { createHash } from 'node:crypto';
import type {
  ImportedPart,
  ModelImportJob,
  ModelImportQueue,
  ModelImportState,
  ModelImportStore,
  WriteCondition,
} from '../../lambda/domain/models/model-import';

/** The imports' S3 objects in memory: states, open uploads with their parts, staged and published files. */
export class InMemoryModelImports implements ModelImportStore {
  readonly states = new Map<string, ModelImportState>();
  readonly uploads = new Map<string, Map<number, Uint8Array>>();
  readonly staged = new Map<string, Uint8Array>();
  readonly published = new Map<string, { bytes: Uint8Array; sha256: string }>();
  readonly aborted: string[] = [];
  private uploadCount = 0;
  private readonly key = (folder: string, name: string) => `${folder}/${name}`;

  /** Each record's version, as S3's ETag: it changes with every write. */
  private readonly versions = new Map<string, string>();
  private writes = 0;
  /** Called before each write lands (a test's hook for a race). */
  beforeWrite?: (state: ModelImportState) => Promise<void> | void;

  async read(folder: string, name: string) {
    return (await this.readVersioned(folder, name))?.state;
  }
  async readVersioned(folder: string, name: string) {
    const state = this.states.get(this.key(folder, name));
    return state && { state: { ...state }, version: this.versions.get(this.key(folder, name))! };
  }
  async write(state: ModelImportState, condition?: WriteCondition) {
    await this.beforeWrite?.(state);
    const key = this.key(state.folder, state.name);
    if (condition && 'absent' in condition && this.states.has(key)) return false;
    if (condition && 'version' in condition && this.versions.get(key) !== condition.version) return false;
    this.states.set(key, { ...state });
    this.versions.set(key, `v${++this.writes}`);
    return true;
  }

  async remove(folder: string, name: string) {
    this.states.delete(this.key(folder, name));
    this.versions.delete(this.key(folder, name));
  }
  async startUpload() {
    const id = `upload-${++this.uploadCount}`;
    this.uploads.set(id, new Map());
    return id;
  }
  async uploadPart(state: ModelImportState, partNumber: number, body: Uint8Array) {
    const upload = this.uploads.get(state.upload_id);
    if (!upload) return 'gone' as const;
    upload.set(partNumber, body);
    return `"etag-${partNumber}"`;
  }
  async listParts(state: ModelImportState): Promise<ImportedPart[] | 'gone'> {
    const upload = this.uploads.get(state.upload_id);
    if (!upload) return 'gone';
    return [...upload.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, body]) => ({ part_number: n, etag: `"etag-${n}"`, size: body.length }));
  }
  async complete(state: ModelImportState) {
    const upload = this.uploads.get(state.upload_id);
    if (!upload) return 'gone' as const;
    this.uploads.delete(state.upload_id);
    this.staged.set(
      this.key(state.folder, state.name),
      Buffer.concat([...upload.entries()].sort(([a], [b]) => a - b).map(([, b]) => b)),
    );
    return 'done' as const;
  }
  async abort(state: ModelImportState) {
    if (this.uploads.delete(state.upload_id)) this.aborted.push(state.upload_id);
  }
  async hashStaged(state: ModelImportState) {
    const bytes = this.staged.get(this.key(state.folder, state.name));
    return bytes && { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }
  async publish(state: ModelImportState, sha256: string) {
    this.published.set(this.key(state.folder, state.name), {
      bytes: this.staged.get(this.key(state.folder, state.name))!,
      sha256,
    });
  }
  async removeStaged(state: ModelImportState) {
    this.staged.delete(this.key(state.folder, state.name));
  }
}

/** The queue: jobs kept in order; `failNext` makes the next send throw (SQS unreachable). */
export class RecordingImportQueue implements ModelImportQueue {
  readonly jobs: ModelImportJob[] = [];
  failNext = false;
  async send(jobs: ModelImportJob[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS is unreachable');
    }
    this.jobs.push(...jobs);
  }
}
