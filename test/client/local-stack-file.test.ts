import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readLocalStackFile,
  removeLocalStackFile,
  writeLocalStackFile,
} from '../../client/src/node/local-stack-file';

const info = (pid: number) => ({ api_url: 'http://127.0.0.1:1/prod/', api_key: 'k', pid, started_at: '' });

describe('the file npm start leaves for the command line', () => {
  it('is readable by its user only, and found while its process lives', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'stack-file-')), 'sub', 'local-stack.json');
    writeLocalStackFile(info(process.pid), path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readLocalStackFile(path)).toEqual(info(process.pid));
    expect(readLocalStackFile(path, () => false)).toBeUndefined();
  });

  it('is removed only by the process that wrote it, and ignored when broken', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'stack-file-')), 'local-stack.json');
    writeLocalStackFile(info(process.pid), path);
    removeLocalStackFile(process.pid + 1, path);
    expect(existsSync(path)).toBe(true);
    removeLocalStackFile(process.pid, path);
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, '{broken');
    expect(readLocalStackFile(path)).toBeUndefined();
  });
});
