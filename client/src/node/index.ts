import { openAsBlob } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { ComfyExecClient } from '../client';
import { ComfyExecError } from '../errors';
import { type OutputFile, outputFiles } from '../outputs';
import type { Execute } from '../types';

/** A file on disk as a File (read when uploaded, not now), named as it is on disk. */
export async function fileFromPath(path: string): Promise<File> {
  const blob = await openAsBlob(path);
  return new File([blob], basename(path), { type: blob.type });
}

/**
 * Where an output goes under `dir`: ComfyUI's subfolder kept, previews (`temp`) under `temp/`.
 * Names from the API never leave `dir` (`..` and absolute paths are refused).
 */
export function outputPath(dir: string, file: OutputFile): string {
  const root = resolve(dir);
  const path = resolve(root, ...(file.type === 'temp' ? ['temp'] : []), file.subfolder, file.filename);
  if (!path.startsWith(root + sep))
    throw new ComfyExecError(`output ${file.subfolder}/${file.filename} would be written outside ${dir}`);
  return path;
}

/** Writes `bytes` at `path` (its folder made first); answers the path written. */
async function writeOver(path: string, bytes: Uint8Array): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/**
 * Downloads every output file of an execute into `dir`; answers the paths written. `write` puts
 * each file in place (default: at its path, over any file there) and answers where it went.
 */
export async function downloadOutputs(
  client: ComfyExecClient,
  execute: Pick<Execute, 'outputs'>,
  dir: string,
  signal?: AbortSignal,
  write: (path: string, bytes: Uint8Array) => Promise<string> = writeOver,
): Promise<string[]> {
  const written: string[] = [];
  for (const file of outputFiles(execute))
    written.push(await write(outputPath(dir, file), await client.download(file.url, signal)));
  return written;
}
