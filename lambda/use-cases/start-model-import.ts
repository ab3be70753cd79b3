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
} from '../domain/models/model-import';
import { planParts } from '../domain/models/multipart-plan';
import { CREDENTIALS_IN_URL } from '../domain/url-credentials';
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

/** Why a source URL cannot be imported (before anything is fetched), or undefined. */
function sourceProblem(source: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return `source '${source.slice(0, 200)}' is not a URL`;
  }
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:'))
    return `source must be an https:// URL (${url.protocol} given)`;
  if (CREDENTIALS_IN_URL.test(source))
    return 'source must not carry a password or token (every API key can read a model\'s source): store a gated host\'s token in Secrets Manager instead (see the README, "Models from a URL")';
  return undefined;
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
  const earlier = await deps.imports.read(request.folder, request.name);
  const running =
    earlier?.status === 'verifying' ||
    (earlier?.status === 'importing' && (await deps.imports.listParts(earlier)) !== 'gone');
  if (earlier && running)
    throw new ModelExistsError(
      `${request.folder}/${request.name} is being imported already (from ${earlier.source}); follow it with GET /models/${request.folder}/${request.name}`,
    );
  await refuseExisting(request, deps.models);
  const probe = await deps.source.probe(request.source).catch((error: unknown) => {
    if (!(error instanceof UrlFetchError)) throw error;
    if (error.kind === 'refused') throw new RequestValidationError(`source: ${error.message}`);
    throw new SourceUnavailableError(`source: ${error.message}`);
  });
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
    status: 'importing',
    error: null,
    started_at: deps.clock.now().toISOString(),
    finished_at: null,
  };
  await deps.imports.write(state);
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
