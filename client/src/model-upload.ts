import { ApiError } from './errors';
import type { OperationTypes } from './generated/api-types';
import { call, type TransportOptions, transferOptions } from './http';
import { presignedRequest } from './transfers';

/** StartModelUpload's answer to `size` (an upload; `source`, an import, answers otherwise). */
type Started = Extract<OperationTypes['StartModelUpload']['data'], { upload_id: string }>;
export type StoredModelUpload = OperationTypes['CompleteModelUpload']['data'];

export interface ModelTarget {
  folder: string;
  name: string;
  sha256?: string;
  overwrite?: boolean;
}

/**
 * Where a model upload is: what StartModelUpload answered and the parts S3 has taken. Kept by the
 * caller between attempts (the CLI in a file), it lets an interrupted upload go on where it
 * stopped instead of sending gigabytes again.
 */
export interface ModelUploadState {
  started: Started;
  /** Parts S3 has taken, with the ETag each answered. */
  done: { part_number: number; etag: string }[];
}

export interface ModelUploadOptions {
  signal?: AbortSignal;
  /** An earlier attempt's state: used while its part URLs last and it is for this file and target. */
  resume?: ModelUploadState;
  /** Told after the start and after each part, with the bytes S3 has so far: keep it to resume. */
  onState?: (state: ModelUploadState, bytesDone: number) => void;
}

/** An hour's margin: a part started just before its URL expires would fail half-way. */
const URL_MARGIN_MS = 60 * 60 * 1000;

function usable(resume: ModelUploadState | undefined, target: ModelTarget, size: number) {
  if (!resume) return false;
  const { started } = resume;
  return (
    started.folder === target.folder &&
    started.name === target.name &&
    started.size === size &&
    Date.parse(started.expires_at) - Date.now() > URL_MARGIN_MS
  );
}

const bytesOf = (state: ModelUploadState) =>
  state.started.parts
    .filter((part) => state.done.some((done) => done.part_number === part.part_number))
    .reduce((sum, part) => sum + part.size, 0);

/** StartModelUpload, a PUT per part not yet taken, CompleteModelUpload. */
async function attempt(
  transport: TransportOptions,
  file: Blob,
  target: ModelTarget,
  state: ModelUploadState,
  options: ModelUploadOptions,
): Promise<StoredModelUpload> {
  const { started } = state;
  const transfer = transferOptions(transport, options.signal);
  let offset = 0;
  for (const part of started.parts) {
    const body = file.slice(offset, offset + part.size);
    offset += part.size;
    if (state.done.some((done) => done.part_number === part.part_number)) continue;
    const response = await presignedRequest(
      `part ${part.part_number} of ${target.folder}/${target.name}`,
      part.url,
      { method: 'PUT', body },
      transfer,
    );
    state.done.push({ part_number: part.part_number, etag: response.headers.get('etag') ?? '' });
    options.onState?.(state, bytesOf(state));
  }
  const parts = [...state.done].sort((a, b) => a.part_number - b.part_number);
  const { data } = await call(transport, 'CompleteModelUpload', {
    body: {
      folder: started.folder,
      name: started.name,
      upload_id: started.upload_id,
      parts: parts as [never],
    },
    signal: options.signal,
  });
  return data;
}

/**
 * Uploads a model to the library in parts (model writers only), going on from `resume` when it is
 * still good. A resumed upload S3 no longer knows (aborted, expired, completed meanwhile) is started
 * again from the first byte, once.
 */
export async function uploadModelInParts(
  transport: TransportOptions,
  file: Blob,
  target: ModelTarget,
  options: ModelUploadOptions = {},
): Promise<StoredModelUpload> {
  const start = async (): Promise<ModelUploadState> => {
    const { data } = await call(transport, 'StartModelUpload', {
      body: { ...target, size: file.size },
      signal: options.signal,
    });
    if (!('upload_id' in data)) throw new Error('StartModelUpload answered an import, not an upload');
    const state = { started: data, done: [] };
    options.onState?.(state, 0);
    return state;
  };
  if (usable(options.resume, target, file.size)) {
    const resumed = structuredClone(options.resume!);
    options.onState?.(resumed, bytesOf(resumed));
    try {
      return await attempt(transport, file, target, resumed, options);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500 || options.signal?.aborted) throw error;
    }
  }
  return attempt(transport, file, target, await start(), options);
}
