import { ComfyExecError } from './errors';
import type { OperationTypes } from './generated/api-types';
import { call, type TransportOptions } from './http';

/** GET /models/{folder}/{name}: the model (null until imported) and its import from a URL. */
export type ModelDetails = OperationTypes['GetModel']['data'];

export interface ModelImportRequest {
  folder: string;
  name: string;
  /** An https URL (Hugging Face, Civitai, …): never with a token in it; gated hosts' tokens live in Secrets Manager. */
  source: string;
  /** The file's SHA-256: the import fails, adding nothing, when the file differs. */
  sha256?: string;
  overwrite?: boolean;
}

export interface ModelImportOptions {
  signal?: AbortSignal;
  /** Told at the start and on each poll, with the import's progress. */
  onProgress?: (details: ModelDetails) => void;
  /** Between polls of GET /models/{folder}/{name}. @default 2000 */
  intervalMs?: number;
  /** Return as soon as the import is started instead of following it to its end. */
  noWait?: boolean;
}

/** An import from a URL that ended as failed: `reason` says why, and nothing was added to the library. */
export class ModelImportFailedError extends ComfyExecError {
  override name = 'ModelImportFailedError';
  constructor(
    readonly details: ModelDetails,
    readonly reason: string,
  ) {
    super(`import of ${details.folder}/${details.name} failed: ${reason}`);
  }
}

export async function getModel(
  transport: TransportOptions,
  folder: string,
  name: string,
  signal?: AbortSignal,
) {
  return (await call(transport, 'GetModel', { path: { folder, name }, signal })).data;
}

/**
 * POST /models with `source` (model writers only): the library fetches the file in parallel
 * ranged parts; this follows GET /models/{folder}/{name} until the import is `imported` (its
 * details) or `failed` (ModelImportFailedError).
 */
export async function importModel(
  transport: TransportOptions,
  request: ModelImportRequest,
  options: ModelImportOptions = {},
): Promise<ModelDetails> {
  const { data } = await call(transport, 'StartModelUpload', { body: request, signal: options.signal });
  if (!('import' in data)) throw new ComfyExecError('StartModelUpload answered an upload, not an import');
  let details: ModelDetails = { ...data, model: null };
  options.onProgress?.(details);
  while (!options.noWait) {
    const status = details.import?.status;
    if (status === 'imported') return details;
    if (status === 'failed') throw new ModelImportFailedError(details, details.import?.error ?? 'unknown');
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
    options.signal?.throwIfAborted();
    details = await getModel(transport, request.folder, request.name, options.signal);
    options.onProgress?.(details);
  }
  return details;
}
