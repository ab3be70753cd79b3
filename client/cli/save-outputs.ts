import { mkdir, open } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { ComfyExecClient, Execute } from '../src/index';
import { downloadOutputs } from '../src/node/index';

/** `name.png`, then `name-1.png`, `name-2.png`, …: the first free one is taken. */
function candidate(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${n}${ext}`;
}

/**
 * Writes `bytes` at `path`, or beside it under the first free suffixed name: never over a file
 * already there (an earlier run's, or another execute's of this run: ComfyUI numbers files per
 * server, so two executes both make `ComfyUI_00001_.png`). Created exclusively, so two commands
 * saving into one folder at once cannot take the same name either. Answers the path written.
 */
async function writeNew(path: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  for (let n = 0; ; n++) {
    const target = candidate(path, n);
    const file = await open(target, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (!file) continue;
    try {
      await file.writeFile(bytes);
    } finally {
      await file.close();
    }
    return target;
  }
}

/** Downloads every output file of an execute into `dir` (subfolders kept), never over a file; answers the paths written. */
export const saveOutputs = (
  client: ComfyExecClient,
  execute: Pick<Execute, 'outputs'>,
  dir: string,
  signal?: AbortSignal,
): Promise<string[]> => downloadOutputs(client, execute, dir, signal, writeNew);
