import {
  type ModelImportJob,
  type ModelImportQueue,
  type ModelImportState,
  type ModelImportStore,
  type ModelSource,
  partRange,
} from '../domain/models/model-import';
import type { Clock, ModelLibrary } from '../domain/ports';
import { UrlFetchError } from '../domain/url-fetch-error';

export interface ModelImportJobDeps {
  imports: ModelImportStore;
  source: ModelSource;
  queue: ModelImportQueue;
  clock: Clock;
  /**
   * Whether a model of that name arrived meanwhile (an upload is never replaced unasked), the
   * uploads of it still open, and taking back a copy a DELETE raced.
   */
  models: Pick<ModelLibrary, 'find' | 'abortUploads' | 'delete'>;
}

/** A failure no retry can mend (the source refuses, changed, or the checksum is wrong). */
export class ImportRefusedError extends Error {}

/**
 * The import this job belongs to, still in one of `statuses`, with the record's version (every
 * write below is conditional on it: a DELETE, or the import ending, is never written over);
 * undefined for a job of an earlier or ended import.
 */
async function current(
  job: ModelImportJob,
  deps: ModelImportJobDeps,
  statuses: ModelImportState['status'][],
) {
  const found = await deps.imports.readVersioned(job.folder, job.name);
  return found && found.state.upload_id === job.upload_id && statuses.includes(found.state.status)
    ? found
    : undefined;
}

/** Ends an import as failed with its reason: the upload aborted and the staged file removed (nothing billed or half-kept). */
export async function failModelImport(job: ModelImportJob, reason: string, deps: ModelImportJobDeps) {
  const found = await current(job, deps, ['importing', 'verifying']);
  if (!found) return;
  const { state, version } = found;
  // The record first: a reader never sees a running import without its upload (shown abandoned).
  const failed = {
    ...state,
    status: 'failed' as const,
    error: reason,
    finished_at: deps.clock.now().toISOString(),
  };
  if (!(await deps.imports.write(failed, { version }))) return;
  await deps.imports.abort(state);
  await deps.imports.removeStaged(state);
}

/**
 * One part: its byte range fetched from the source and written with UploadPart. The part that
 * makes the set whole queues the finishing step (a duplicate is dropped by the FIFO queue, and
 * finishing twice is harmless).
 */
async function importPart(job: Extract<ModelImportJob, { kind: 'part' }>, deps: ModelImportJobDeps) {
  const state = (await current(job, deps, ['importing']))?.state;
  if (!state) return 'skipped';
  const { first, last } = partRange(state, job.part_number);
  let body: Uint8Array;
  try {
    body = await deps.source.readRange(state.source, first, last, state);
  } catch (error) {
    const message = `part ${job.part_number}: ${(error as Error).message}`;
    throw error instanceof UrlFetchError && error.kind === 'refused'
      ? new ImportRefusedError(message)
      : new Error(message);
  }
  if ((await deps.imports.uploadPart(state, job.part_number, body)) === 'gone') return 'skipped';
  const parts = await deps.imports.listParts(state);
  if (parts !== 'gone' && parts.length === state.parts)
    await deps.queue.send([
      { kind: 'finish', folder: state.folder, name: state.name, upload_id: state.upload_id },
    ]);
  return 'done';
}

/**
 * The parts assembled, the whole file hashed once (SHA-256 cannot be combined from parts), checked
 * against the declared digest, and only then copied into the library: unless the import was
 * stopped meanwhile, or a model of that name arrived and the writer did not ask to replace one.
 */
async function finishImport(job: Extract<ModelImportJob, { kind: 'finish' }>, deps: ModelImportJobDeps) {
  const found = await current(job, deps, ['importing', 'verifying']);
  if (!found) return 'skipped';
  let { state } = found;
  const parts = await deps.imports.listParts(state);
  if (parts !== 'gone') {
    if (parts.length !== state.parts)
      throw new Error(`only ${parts.length} of ${state.parts} parts are uploaded`);
    if (state.status === 'importing') {
      state = { ...state, status: 'verifying', last_retry: null };
      if (!(await deps.imports.write(state, { version: found.version }))) return 'skipped';
    }
    await deps.imports.complete(state, parts);
  } else if (state.status === 'importing') return 'skipped'; // aborted meanwhile
  const hashed = await deps.imports.hashStaged(state);
  if (!hashed) throw new Error('the assembled file is missing');
  if (hashed.size !== state.size)
    throw new ImportRefusedError(
      `the assembled file is ${hashed.size} bytes, not the ${state.size} the source announced`,
    );
  if (state.sha256 !== null && hashed.sha256 !== state.sha256)
    throw new ImportRefusedError(
      `the file's SHA-256 is ${hashed.sha256}, not the ${state.sha256} declared: nothing was added to the library`,
    );
  const now = await current(job, deps, ['verifying']);
  if (!now) {
    await deps.imports.removeStaged(state);
    return 'skipped';
  }
  if (!state.overwrite && (await deps.models.find(state.folder, state.name)))
    throw new ImportRefusedError(
      `a model of that name was added to the library while this import ran; it was not replaced (send the import again with overwrite: true to replace it)`,
    );
  // An upload of the name still open (one the import was asked to overwrite) ends here: completed
  // afterwards, it would replace the import unasked.
  await deps.models.abortUploads(state.folder, state.name);
  await deps.imports.publish(state, hashed.sha256);
  const imported = {
    ...state,
    sha256: hashed.sha256,
    status: 'imported' as const,
    finished_at: deps.clock.now().toISOString(),
  };
  if (!(await deps.imports.write(imported, { version: now.version }))) {
    // A DELETE raced the copy: it wins (a replaced model is not restored; nothing else is kept).
    if (!state.overwrite) await deps.models.delete(state.folder, state.name);
    await deps.imports.removeStaged(state);
    return 'skipped';
  }
  await deps.imports.removeStaged(state);
  return 'done';
}

/** One queued job; ImportRefusedError ends the import at once, anything else is retried by the queue. */
export function runModelImportJob(job: ModelImportJob, deps: ModelImportJobDeps) {
  return job.kind === 'part' ? importPart(job, deps) : finishImport(job, deps);
}

/**
 * What becomes of a job that failed on its `attempt`-th receive: a refusal, or the last attempt,
 * ends the import with the reason (an import never stays `importing` with nothing left to move
 * it); otherwise it is tried again after a backoff (15 s, 30 s, 60 s…, at most 15 minutes: the
 * source may be rate-limiting), and the import shows the failure as `last_retry` meanwhile.
 */
export async function settleFailedJob(
  job: ModelImportJob,
  error: unknown,
  attempt: number,
  deps: ModelImportJobDeps & { attempts: number; retryBaseSeconds?: number },
): Promise<{ failed: string } | { retryInSeconds: number }> {
  const reason = (error as Error).message;
  if (error instanceof ImportRefusedError || attempt >= deps.attempts) {
    await failModelImport(job, reason, deps);
    return { failed: reason };
  }
  const found = await current(job, deps, ['importing']);
  if (found) {
    const last_retry = `attempt ${attempt} of ${deps.attempts} failed, trying again: ${reason}`;
    await deps.imports.write({ ...found.state, last_retry }, { version: found.version });
  }
  return { retryInSeconds: Math.min(900, (deps.retryBaseSeconds ?? 15) * 2 ** (attempt - 1)) };
}
