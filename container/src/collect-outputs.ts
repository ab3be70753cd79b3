import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runBounded } from '../../lambda/platform/run-bounded';
import type { ComfyUiClient, FileRef } from './comfy-client';
import type { ComfyFolders } from './comfy-output-files';
import { outputFileOnDisk } from './output-file-on-disk';
import { relativeOutputKey, uniqueKey } from './output-keys';

export interface CollectedOutputs {
  output_path: string;
  output_files: string[];
  temp_path: string;
  temp_files: string[];
  /** ComfyUI's per-node ui outputs, each file item annotated with its S3 `key` (relative to its path). */
  outputs: Record<string, Record<string, unknown>>;
  /** Bytes of every file stored (the usage table counts them per key). */
  output_bytes: number;
}

function isFileRef(item: unknown): item is FileRef {
  return typeof item === 'object' && item !== null && typeof (item as FileRef).filename === 'string';
}

export interface CollectDeps {
  comfy: ComfyUiClient;
  s3: S3Client;
  bucket: string;
  fileTimeoutMs: number;
  /** Called once a file is safely in S3 (its copy in ComfyUI's folder may then go). */
  onStored?(file: FileRef): void;
  /** ComfyUI's output and temp folders when this container sees them: images are read there. */
  folders?: ComfyFolders;
  /** Whether a reported file is the run's own (default: all are); others stay values, unfetched. */
  isRunFile?(file: FileRef): boolean;
}

/** Puts one file; answers its size in bytes. */
async function upload(deps: CollectDeps, file: FileRef, key: string): Promise<number> {
  const onDisk = deps.folders && (await outputFileOnDisk(deps.folders, file));
  if (onDisk) {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: onDisk.body,
        ContentLength: onDisk.length,
        ContentType: onDisk.contentType,
      }),
    );
    return onDisk.length;
  }
  const response = await deps.comfy.view(file, deps.fileTimeoutMs);
  if (!response.ok || !response.body) {
    throw new Error(
      `ComfyUI /view answered ${response.status} for ${file.type ?? 'output'} file '${file.filename}' (subfolder '${file.subfolder ?? ''}')`,
    );
  }
  // No header is no size (Number(null) would say 0, and the PUT would claim an empty file).
  const header = response.headers.get('content-length');
  const length = header === null ? Number.NaN : Number(header);
  const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
  // Stream when the size is known (no whole video in memory); otherwise S3 needs the bytes up front.
  const body =
    Number.isFinite(length) && length >= 0
      ? Readable.fromWeb(response.body as WebReadableStream)
      : Buffer.from(await response.arrayBuffer());
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: key,
      Body: body,
      ...(Buffer.isBuffer(body) ? {} : { ContentLength: length }),
      ContentType: contentType,
    }),
  );
  return Buffer.isBuffer(body) ? body.length : length;
}

/** Tries per file when the connection, not S3's answer, fails. */
export const UPLOAD_ATTEMPTS = 3;

/** A connection closed or reset under the request: S3 never answered, so trying again is safe. */
function isDroppedConnection(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (
    ['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(code ?? '') || /socket hang up/i.test(message ?? '')
  );
}

/**
 * One file's upload, fetched and put again when the connection drops. The body is ComfyUI's
 * stream, which the SDK cannot replay, so its own retries cannot cover a keep-alive connection
 * the server closed just as the PUT reused it (seen under load: "socket hang up" failed an execute).
 */
async function uploadAgainOnDroppedConnection(
  deps: CollectDeps,
  file: FileRef,
  key: string,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload(deps, file, key);
    } catch (error) {
      if (attempt >= UPLOAD_ATTEMPTS || !isDroppedConnection(error)) throw error;
    }
  }
}

/** Files fetched from ComfyUI and put to S3 at once: several streams, without flooding either. */
export const UPLOAD_CONCURRENCY = 4;

/**
 * Every file of every output node — images, gifs, video, audio, 3D, whatever key the node used —
 * fetched from ComfyUI and stored under `executes/{id}/outputs/` (or `temp/`), up to
 * UPLOAD_CONCURRENCY at once; keys and the order of `outputs` and the file lists are fixed
 * before any upload starts, so they do not depend on which upload ends first. Text and other
 * non-file values stay in `outputs` as ComfyUI reported them.
 */
export async function collectOutputs(
  promptId: string,
  historyOutputs: Record<string, Record<string, unknown>>,
  deps: CollectDeps,
): Promise<CollectedOutputs> {
  const prefix = { output: `executes/${promptId}/outputs/`, temp: `executes/${promptId}/temp/` };
  const files = { output: [] as string[], temp: [] as string[] };
  const used = { output: new Set<string>(), temp: new Set<string>() };
  const outputs: CollectedOutputs['outputs'] = {};
  const uploads: { file: FileRef; key: string }[] = [];
  for (const [nodeId, ui] of Object.entries(historyOutputs ?? {})) {
    outputs[nodeId] = {};
    for (const [kind, value] of Object.entries(ui ?? {})) {
      if (!Array.isArray(value)) {
        outputs[nodeId][kind] = value;
        continue;
      }
      outputs[nodeId][kind] = value.map((item) => {
        if (!isFileRef(item) || deps.isRunFile?.(item) === false) return item;
        const area = item.type === 'temp' ? 'temp' : 'output';
        const relative = uniqueKey(relativeOutputKey(nodeId, item.subfolder, item.filename), used[area]);
        uploads.push({ file: item, key: `${prefix[area]}${relative}` });
        files[area].push(relative);
        return { ...item, key: relative };
      });
    }
  }
  let outputBytes = 0;
  await runBounded(uploads.length, UPLOAD_CONCURRENCY, async (index) => {
    const { file, key } = uploads[index]!;
    // Awaited first: `outputBytes += await …` reads the sum before the await, and uploads side by
    // side would each add to the same stale sum (two PNGs counted as one, seen on the real ComfyUI).
    const bytes = await uploadAgainOnDroppedConnection(deps, file, key);
    outputBytes += bytes;
    deps.onStored?.(file);
  });
  return {
    output_path: `s3://${deps.bucket}/${prefix.output}`,
    output_files: files.output,
    temp_path: `s3://${deps.bucket}/${prefix.temp}`,
    temp_files: files.temp,
    outputs,
    output_bytes: outputBytes,
  };
}
