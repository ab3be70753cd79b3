import {
  InputTooLargeError,
  ModelExistsError,
  RequestValidationError,
  SourceUnavailableError,
} from '../domain/errors';
import {
  importView,
  type ModelImportQueue,
  type ModelImportState,
  type ModelImportStore,
  type ModelSource,
  stillRunning,
} from '../domain/models/model-import';
import { sourceProblem } from '../domain/models/model-source-url';
import { planParts } from '../domain/models/multipart-plan';
import { UrlFetchError } from '../domain/url-fetch-error';
import { checkNewModel, type ModelLibraryDeps, refuseExisting } from './model-writers';

export interface StartModelImportRequest {
  folder: string;
  name: string;
  source: string;
  sha256?: string;
  overwrite?: boolean;
}

export interface ModelImportDeps extends ModelLibraryDeps {
  imports: ModelImportStore;
  source: ModelSource;
  queue: ModelImportQueue;
  /** Local stack only: http:// sources on this machine. */
  allowLoopback: boolean;
}

/**
 * StartModelImport (POST /models with `source`): the source is probed here (a bad URL, a refusal,
 * a file too large are 4xx now, before anything is written), then one multipart upload is started
 * and a job per part queued; GET /models/{folder}/{name} follows it.
 */
export async function startModelImport(
  request: StartModelImportRequest,
  owner: string,
  deps: ModelImportDeps,
) {
  checkNewModel(request, owner, deps.config.writers);
  const problem = sourceProblem(request.source, deps.allowLoopback);
  if (problem) throw new RequestValidationError(problem);
  const earlier = await deps.imports.readVersioned(request.folder, request.name);
  if (earlier && (await stillRunning(earlier.state, deps.imports)))
    throw new ModelExistsError(
      `${request.folder}/${request.name} is being imported already (from ${earlier.state.source}); follow it with GET /models/${request.folder}/${request.name}`,
    );
  await refuseExisting(request, deps.models);
  if (!request.overwrite && (await deps.models.openUploads(request.folder, request.name)).length > 0)
    throw new ModelExistsError(
      `an upload of ${request.folder}/${request.name} is in progress (POST /models with size): complete it first, or send overwrite: true to have this import replace it (the upload is then ended)`,
    );
  const probe = await deps.source.probe(request.source).catch((error: unknown) => {
    if (!(error instanceof UrlFetchError)) throw error;
    if (error.kind === 'refused') throw new RequestValidationError(`source: ${error.message}`);
    throw new SourceUnavailableError(`source: ${error.message}`);
  });
  if (probe.size === 0) throw new RequestValidationError('source: the file is empty');
  if (probe.size > deps.config.maxModelBytes)
    throw new InputTooLargeError(
      `source is ${probe.size} bytes, over this deployment's limit of ${deps.config.maxModelBytes} bytes per model`,
    );
  const plan = planParts(probe.size, deps.config.partBytes);
  if (!probe.ranges && plan.parts.length > 1)
    throw new RequestValidationError(
      `source: the server does not answer byte ranges, and the file (${probe.size} bytes) is larger than one part`,
    );
  const state: ModelImportState = {
    folder: request.folder,
    name: request.name,
    source: new URL(request.source).toString(),
    size: probe.size,
    part_size: plan.partSize,
    parts: plan.parts.length,
    upload_id: await deps.imports.startUpload(request.folder, request.name),
    etag: probe.etag,
    sha256: request.sha256 ?? null,
    overwrite: request.overwrite === true,
    status: 'importing',
    error: null,
    last_retry: null,
    started_at: deps.clock.now().toISOString(),
    finished_at: null,
  };
  // One import of a name at a time, also when two POSTs cross: the second finds the record changed.
  if (!(await deps.imports.write(state, earlier ? { version: earlier.version } : { absent: true }))) {
    await deps.imports.abort(state);
    throw new ModelExistsError(
      `another import of ${state.folder}/${state.name} started at the same moment; follow it with GET /models/${state.folder}/${state.name}`,
    );
  }
  const jobs = plan.parts.map((_, index) => ({
    kind: 'part' as const,
    folder: state.folder,
    name: state.name,
    upload_id: state.upload_id,
    part_number: index + 1,
  }));
  try {
    await deps.queue.send(jobs);
  } catch (error) {
    // Nothing would ever fetch the parts: the import ends here, with the reason, and no upload left.
    await deps.imports.write({
      ...state,
      status: 'failed',
      error: 'the parts could not be queued',
      finished_at: deps.clock.now().toISOString(),
    });
    await deps.imports.abort(state);
    throw error;
  }
  return { folder: state.folder, name: state.name, import: importView(state, []) };
}
