import type { ComfyExecClient } from './client';
import { bytesOf, type FileData } from './transfers';
import type { CreatedInput, UploadedInput } from './types';

/**
 * How many of the caller's newest inputs are searched for an earlier upload of the same file, a
 * page at a time (the API heads each listed object): a retry's upload is among the newest.
 */
const SEARCHED_INPUTS = 100;
const PAGE_SIZE = 25;
/** An upload that expires sooner than this is not reused: the execute may still be queued then. */
const REUSE_MARGIN_SECONDS = 3600;

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The caller's upload of this exact file (name, size and SHA-256, newest first), or undefined.
 * Inputs list newest first, so the retry of a failed run finds its upload on the first page.
 */
async function findUpload(
  client: ComfyExecClient,
  file: { filename: string; size: number; sha256: string },
  signal?: AbortSignal,
): Promise<UploadedInput | undefined> {
  const freshUntil = Date.now() / 1000 + REUSE_MARGIN_SECONDS;
  let startKey: string | undefined;
  let searched = 0;
  do {
    const page = await client.listInputs({
      limit: PAGE_SIZE,
      ...(startKey ? { startKey } : {}),
      ...(signal ? { signal } : {}),
    });
    const found = page.items.find(
      (input) =>
        input.filename === file.filename &&
        input.size === file.size &&
        input.sha256 === file.sha256 &&
        input.expires_at > freshUntil,
    );
    if (found) return found;
    searched += page.items.length;
    startKey = page.nextKey ?? undefined;
  } while (startKey && searched < SEARCHED_INPUTS);
  return undefined;
}

/**
 * An input holding these bytes under this file name: an earlier upload of the same file when the
 * caller has one (a failed run tried again sends nothing twice), else a new upload recording the
 * bytes' SHA-256 so the next run can find it.
 */
export async function uploadOnce(
  client: ComfyExecClient,
  file: FileData,
  options: { filename?: string; signal?: AbortSignal },
): Promise<{ reused: UploadedInput } | { uploaded: CreatedInput }> {
  const filename = options.filename ?? (file as { name?: unknown }).name;
  const bytes = await bytesOf(file);
  const sha256 = await sha256Hex(bytes);
  if (typeof filename === 'string' && filename !== '') {
    const reused = await findUpload(client, { filename, size: bytes.byteLength, sha256 }, options.signal);
    if (reused) return { reused };
  }
  // The bytes already read go up as they are; a Blob's own type still names their content type.
  const uploaded = await client.uploadInput(bytes, {
    sha256,
    ...(typeof filename === 'string' ? { filename } : {}),
    ...(file instanceof Blob && file.type ? { contentType: file.type } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { uploaded };
}
