import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  findLocalStacks,
  localStackFile,
  localStackFolder,
  localStackLogFile,
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

  it("is stale once its pid answers EPERM: another user's process has it now, and never gets the key", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'stack-file-')), 'sub', 'local-stack.json');
    writeLocalStackFile(info(process.pid), path);
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    try {
      expect(readLocalStackFile(path)).toBeUndefined();
    } finally {
      kill.mockRestore();
    }
    expect(readLocalStackFile(path)).toEqual(info(process.pid));
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
    expect(localStackFile({ HOME: '/home/u' }, 42)).toBe('/home/u/.comfy-exec/run/local-stack-42.json');
    // ssh, su and tmux differ in XDG_RUNTIME_DIR: the command line must still find the stack.
    expect(localStackFolder({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' })).toBe(
      '/home/u/.comfy-exec/run',
    );
    expect(localStackFile({})).not.toContain(tmpdir());
    expect(localStackFile({ COMFY_EXEC_LOCAL_STACK_FILE: '/x/y.json', HOME: '/home/u' })).toBe('/x/y.json');
    expect(localStackFolder({ COMFY_EXEC_LOCAL_STACK_FILE: '/x/y.json' })).toBe('/x');
  });

  it('makes its folder for this user alone before npm start starts anything, or says what is wrong with the one there', () => {
    const home = fresh();
    const path = localStackFile({ HOME: home }, 42);
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

describe('one file per running stack, in the folder of the user (issue 27)', () => {
  const home = () => {
    const folder = mkdtempSync(join(tmpdir(), 'stack-home-'));
    return { HOME: folder };
  };
  const started = (pid: number, at: string) => ({ ...info(pid), started_at: at });
  // Pids as stand-ins: "alive" is what the test says, as for a process it could signal.
  const [first, second, ended] = [process.pid + 100_001, process.pid + 100_002, process.pid + 100_003];
  const aliveOnly =
    (...pids: number[]) =>
    (pid: number) =>
      pids.includes(pid);

  it('each npm start writes its own file, and stopping removes its own only: a second stack or npm test cannot take the first one away', () => {
    const env = home();
    const a = writeLocalStackFile(info(first), localStackFile(env, first));
    const b = writeLocalStackFile(info(second), localStackFile(env, second));
    expect([a, b]).toEqual([
      join(localStackFolder(env), `local-stack-${first}.json`),
      join(localStackFolder(env), `local-stack-${second}.json`),
    ]);
    removeLocalStackFile(second, b);
    expect(existsSync(a)).toBe(true);
    expect(existsSync(b)).toBe(false);
    expect(findLocalStacks(env, aliveOnly(first)).map(({ info }) => info.pid)).toEqual([first]);
  });

  it('prefers the stack of the project the command runs in over a newer one of another checkout', () => {
    const env = home();
    writeLocalStackFile(
      { ...started(first, '2026-01-01T10:00:00.000Z'), project_dir: '/work/mine' },
      localStackFile(env, first),
    );
    writeLocalStackFile(
      { ...started(second, '2026-01-01T11:00:00.000Z'), project_dir: '/work/theirs' },
      localStackFile(env, second),
    );
    const pids = (cwd: string) =>
      findLocalStacks(env, aliveOnly(first, second), undefined, cwd).map(({ info }) => info.pid);
    expect(pids('/work/mine/client')).toEqual([first, second]);
    expect(pids('/work/mine')).toEqual([first, second]);
    expect(pids('/work/mine-too')).toEqual([second, first]);
    expect(pids('/tmp')).toEqual([second, first]);
  });

  it('the command line finds every running stack, started last first, and removes the files of those that ended', () => {
    const env = home();
    writeLocalStackFile(started(first, '2026-01-01T10:00:00.000Z'), localStackFile(env, first));
    writeLocalStackFile(started(second, '2026-01-01T11:00:00.000Z'), localStackFile(env, second));
    writeLocalStackFile(started(ended, '2026-01-01T12:00:00.000Z'), localStackFile(env, ended));
    // Each stack's log (the debug links' target) beside its file.
    for (const pid of [first, ended]) writeFileSync(localStackLogFile(localStackFile(env, pid), pid), '');
    const found = findLocalStacks(env, aliveOnly(first, second));
    expect(found.map(({ info, file }) => [info.pid, file])).toEqual([
      [second, localStackFile(env, second)],
      [first, localStackFile(env, first)],
    ]);
    expect(existsSync(localStackFile(env, ended))).toBe(false);
    expect(existsSync(localStackLogFile(localStackFile(env, ended), ended))).toBe(false);
    expect(existsSync(localStackLogFile(localStackFile(env, first), first))).toBe(true);
    expect(findLocalStacks(env, aliveOnly())).toEqual([]);
    expect(readdirSync(localStackFolder(env))).toEqual([]);
  });

  it('ignores (and leaves) files it cannot trust: open to others, naming another pid than their name, or in an open folder', () => {
    const env = home();
    const open = writeLocalStackFile(info(first), localStackFile(env, first));
    chmodSync(open, 0o644);
    // Only the process a name carries writes that name: a file naming another pid is not removed as stale.
    const renamed = localStackFile(env, second);
    writeLocalStackFile(info(ended), renamed);
    expect(findLocalStacks(env, aliveOnly(first, second))).toEqual([]);
    expect(existsSync(open) && existsSync(renamed)).toBe(true);
    chmodSync(open, 0o600);
    chmodSync(localStackFolder(env), 0o777);
    expect(findLocalStacks(env, aliveOnly(first, second, ended))).toEqual([]);
  });

  it('with COMFY_EXEC_LOCAL_STACK_FILE, that file alone: how a test, or a user picking one stack, names it', () => {
    const env = home();
    writeLocalStackFile(info(first), localStackFile(env, first));
    const chosen = writeLocalStackFile(info(second), join(fresh(), 'mine.json'));
    expect(
      findLocalStacks({ ...env, COMFY_EXEC_LOCAL_STACK_FILE: chosen }, aliveOnly(first, second)),
    ).toEqual([{ file: chosen, info: info(second) }]);
  });
});

function fresh() {
  return mkdtempSync(join(tmpdir(), 'stack-file-'));
}
