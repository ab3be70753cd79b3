import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  localStackFile,
  prepareLocalStackFolder,
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

describe('the file cannot be planted or read by another user of the machine', () => {
  const fresh = () => mkdtempSync(join(tmpdir(), 'stack-file-'));

  it('is by default where no other user can make anything, the same for every shell of the user: their home, never the shared temp folder', () => {
    expect(localStackFile({ HOME: '/home/u' })).toBe('/home/u/.comfy-exec/run/local-stack.json');
    // ssh, su and tmux differ in XDG_RUNTIME_DIR: the command line must still find the stack.
    expect(localStackFile({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' })).toBe(
      '/home/u/.comfy-exec/run/local-stack.json',
    );
    expect(localStackFile({})).not.toContain(tmpdir());
    expect(localStackFile({ COMFY_EXEC_LOCAL_STACK_FILE: '/x/y.json', HOME: '/home/u' })).toBe('/x/y.json');
  });

  it('makes its folder for this user alone before npm start starts anything, or says what is wrong with the one there', () => {
    const home = fresh();
    const path = localStackFile({ HOME: home });
    prepareLocalStackFolder(path);
    expect(statSync(join(home, '.comfy-exec', 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, '.comfy-exec')).mode & 0o777).toBe(0o700);
    expect(existsSync(path)).toBe(false);
    const planted = join(fresh(), 'planted');
    mkdirSync(planted);
    chmodSync(planted, 0o777);
    expect(() => prepareLocalStackFolder(join(planted, 'local-stack.json'))).toThrow(
      /open to other users .*remove that folder/,
    );
  });

  it('refuses a ~/.comfy-exec that is a link or open to others, not only its run/ folder', () => {
    const home = fresh();
    const open = join(fresh(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    symlinkSync(open, join(home, '.comfy-exec'));
    expect(() => prepareLocalStackFolder(localStackFile({ HOME: home }))).toThrow(/is a symbolic link/);
    const other = fresh();
    mkdirSync(join(other, '.comfy-exec'), { mode: 0o700 });
    chmodSync(join(other, '.comfy-exec'), 0o777);
    expect(() => prepareLocalStackFolder(localStackFile({ HOME: other }))).toThrow(/open to other users/);
  });

  it('never replaces the file of another stack still running: the second writes its own beside it', () => {
    const path = join(fresh(), 'local-stack.json');
    expect(writeLocalStackFile(info(process.pid), path)).toBe(path);
    const second = process.pid + 100_000;
    const beside = writeLocalStackFile(info(second), path, process.getuid?.(), () => true);
    expect(beside).toBe(join(dirname(path), `local-stack-${second}.json`));
    expect(readLocalStackFile(path)).toEqual(info(process.pid));
    expect(readLocalStackFile(beside, () => true)).toEqual(info(second));
    expect(statSync(beside).mode & 0o777).toBe(0o600);
    // Once the first is gone (its process dead), a new stack takes the file.
    expect(writeLocalStackFile(info(second), path, process.getuid?.(), (pid) => pid === second)).toBe(path);
    expect(readLocalStackFile(path, () => true)).toEqual(info(second));
  });

  it('refuses to write the key into a folder others can write, or another user owns', () => {
    const shared = join(fresh(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    expect(() => writeLocalStackFile(info(process.pid), join(shared, 'local-stack.json'))).toThrow(
      /open to other users/,
    );
    const mine = join(fresh(), 'mine', 'local-stack.json');
    expect(() => writeLocalStackFile(info(process.pid), mine, (process.getuid?.() ?? 0) + 1)).toThrow(
      /belongs to another user/,
    );
  });

  it('ignores a file open to others, a link, one of another user, or one naming pid 1', () => {
    const folder = fresh();
    const path = join(folder, 'local-stack.json');
    writeLocalStackFile(info(process.pid), path);
    expect(readLocalStackFile(path)).toEqual(info(process.pid));
    expect(readLocalStackFile(path, () => true, (process.getuid?.() ?? 0) + 1)).toBeUndefined();
    chmodSync(path, 0o644);
    expect(readLocalStackFile(path)).toBeUndefined();
    const elsewhere = join(fresh(), 'planted.json');
    writeLocalStackFile(info(process.pid), elsewhere);
    rmSync(path);
    symlinkSync(elsewhere, path);
    expect(readLocalStackFile(path)).toBeUndefined();
    rmSync(path);
    writeLocalStackFile(info(1), path);
    expect(readLocalStackFile(path)).toBeUndefined();
  });
});
