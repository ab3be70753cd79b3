import { planParts } from './multipart-plan';

/** Where an import from a URL stands; `imported` and `failed` are final. */
export type ModelImportStatus = 'importing' | 'verifying' | 'imported' | 'failed';

/**
 * One import of a model from a URL into the library (`model-imports/{folder}/{name}.json`): what
 * the parts fetch (source, size, the ETag every ranged answer must carry) and how it ended.
 */
export interface ModelImportState {
  folder: string;
  name: string;
  source: string;
  size: number;
  part_size: number;
  parts: number;
  upload_id: string;
  /** The source's ETag at the probe: a part answered with another one means the file changed. */
  etag: string | null;
  /** The SHA-256 the writer declared (checked), or the one computed once imported. */
  sha256: string | null;
  /** Whether the writer asked to replace a model of that name (else one added meanwhile fails the import). */
  overwrite: boolean;
  status: ModelImportStatus;
  /** Why it failed (final). */
  error: string | null;
  /** The last failure being retried, while it goes on ("attempt 2 of 5: part 3: … answered HTTP 503"). */
  last_retry: string | null;
  started_at: string;
  finished_at: string | null;
}

/** What a server said about a source at the probe. */
export interface SourceProbe {
  size: number;
  etag: string | null;
  /** Whether the server answers byte ranges (206): without them only a one-part file is fetched. */
  ranges: boolean;
}

/** Fetches a model's source URL: every hop checked as URL inputs are, a host's token only to that host. */
export interface ModelSource {
  probe(source: string): Promise<SourceProbe>;
  /** Exactly bytes first..last (inclusive) of the file the probe saw. */
  readRange(
    source: string,
    first: number,
    last: number,
    expect: { size: number; etag: string | null },
  ): Promise<Uint8Array>;
}

export interface ImportedPart {
  part_number: number;
  etag: string;
  size: number;
}

/**
 * Only when the record is as it was read (`version`), or when there is none (`absent`): false
 * when it changed meanwhile (S3's conditional writes).
 */
export type WriteCondition = { version: string } | { absent: true };

/** The imports' state objects and the staged multipart upload each one fills. */
export interface ModelImportStore {
  read(folder: string, name: string): Promise<ModelImportState | undefined>;
  /** The record and its version (for a conditional write). */
  readVersioned(
    folder: string,
    name: string,
  ): Promise<{ state: ModelImportState; version: string } | undefined>;
  /** True when written; false when `condition` no longer held. */
  write(state: ModelImportState, condition?: WriteCondition): Promise<boolean>;
  remove(folder: string, name: string): Promise<void>;
  startUpload(folder: string, name: string): Promise<string>;
  /** The part's ETag, or 'gone' when the upload was aborted or completed meanwhile. */
  uploadPart(state: ModelImportState, partNumber: number, body: Uint8Array): Promise<string | 'gone'>;
  /** The parts uploaded so far, by number, or 'gone'. */
  listParts(state: ModelImportState): Promise<ImportedPart[] | 'gone'>;
  /** Assembles the staged file; 'gone' when there is no such upload (completed already, or aborted). */
  complete(state: ModelImportState, parts: ImportedPart[]): Promise<'done' | 'gone'>;
  abort(state: ModelImportState): Promise<void>;
  /** The staged file's SHA-256 and size, read once from start to end; undefined when it is not there. */
  hashStaged(state: ModelImportState): Promise<{ sha256: string; size: number } | undefined>;
  /** Copies the staged file to `models/{folder}/{name}` with its SHA-256 and source as metadata. */
  publish(state: ModelImportState, sha256: string): Promise<void>;
  removeStaged(state: ModelImportState): Promise<void>;
}

export type ModelImportJob =
  | { kind: 'part'; folder: string; name: string; upload_id: string; part_number: number }
  | { kind: 'finish'; folder: string; name: string; upload_id: string };

/** The queue the parts and the finishing step wait on. */
export interface ModelImportQueue {
  send(jobs: ModelImportJob[]): Promise<void>;
}

/** Bytes first..last (inclusive) of part `partNumber` (from 1) of an import. */
export function partRange(state: ModelImportState, partNumber: number): { first: number; last: number } {
  const first = (partNumber - 1) * state.part_size;
  const size = planParts(state.size, state.part_size).parts[partNumber - 1];
  if (size === undefined) throw new Error(`part ${partNumber} is not one of the ${state.parts} parts`);
  return { first, last: first + size - 1 };
}

/**
 * An import still `importing` whose upload S3 no longer has was abandoned: its jobs all crashed
 * (they wait in the dead-letter queue), and the bucket's rule aborted the upload after a day.
 */
export const ABANDONED =
  'abandoned: its staged upload is gone (the bucket aborts uploads unfinished after a day); its jobs are in the dead-letter queue; send the POST again';

/** What GET /models/{folder}/{name} shows of an import (`parts` 'gone': abandoned, shown failed). */
export function importView(state: ModelImportState, parts: ImportedPart[] | 'gone' | undefined) {
  if (state.status === 'importing' && parts === 'gone')
    return importView({ ...state, status: 'failed', error: ABANDONED }, undefined);
  if (parts === 'gone') parts = undefined;
  // Verifying: every part is in (the upload is completed, so S3 lists none any more).
  const done = state.status === 'imported' || state.status === 'verifying';
  return {
    status: state.status,
    source: state.source,
    size: state.size,
    sha256: state.sha256,
    parts_total: state.parts,
    parts_done: done ? state.parts : (parts?.length ?? 0),
    bytes_done: done ? state.size : (parts ?? []).reduce((sum, part) => sum + part.size, 0),
    error: state.error,
    last_retry: state.status === 'importing' ? (state.last_retry ?? null) : null,
    started_at: state.started_at,
    finished_at: state.finished_at,
  };
}

/** A queued job's body, or undefined when it is not one (a message no import sent). */
export function parseImportJob(body: string): ModelImportJob | undefined {
  let job: Record<string, unknown>;
  try {
    job = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const named = ['folder', 'name', 'upload_id'].every((field) => typeof job[field] === 'string');
  if (named && job.kind === 'finish') return job as ModelImportJob;
  if (named && job.kind === 'part' && Number.isInteger(job.part_number)) return job as ModelImportJob;
  return undefined;
}

/** An import that has not ended: verifying, or importing with its upload still open (else abandoned). */
export async function stillRunning(state: ModelImportState, imports: ModelImportStore) {
  return (
    state.status === 'verifying' ||
    (state.status === 'importing' && (await imports.listParts(state)) !== 'gone')
  );
}
