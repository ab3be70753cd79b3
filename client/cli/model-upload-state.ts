import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import type { ModelUploadState } from '../src/model-upload';

/**
 * Where an unfinished model upload is remembered between commands: one file per API, file and
 * target, in this user's data folder (`~/.local/share/comfy-exec/uploads/` on Linux), readable by
 * this user only since its part URLs let anyone write the parts. Running the same `models upload`
 * again finds it and goes on; a changed file (size or modification time) starts afresh.
 */
export function uploadStateStore(
  apiUrl: string,
  path: string,
  target: { folder: string; name: string },
  folder = join(envPaths('comfy-exec', { suffix: '' }).data, 'uploads'),
) {
  const { size, mtimeMs } = statSync(path);
  const key = createHash('sha256')
    .update(JSON.stringify([apiUrl, resolve(path), size, mtimeMs, target.folder, target.name]))
    .digest('hex')
    .slice(0, 32);
  const file = join(folder, `${key}.json`);
  return {
    file,
    read(): ModelUploadState | undefined {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as ModelUploadState;
      } catch {
        return undefined;
      }
    },
    /** Written whole, then put in place: a kill half-way leaves the previous state, never half a file. */
    write(state: ModelUploadState) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const staging = `${file}.${process.pid}`;
      writeFileSync(staging, JSON.stringify(state), { mode: 0o600 });
      renameSync(staging, file);
    },
    remove() {
      rmSync(file, { force: true });
    },
  };
}
