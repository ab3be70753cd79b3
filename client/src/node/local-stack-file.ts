import {
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** What `npm start` leaves for the command line: how to reach the local stack. */
export interface LocalStackInfo {
  api_url: string;
  api_key: string;
  pid: number;
  started_at: string;
  /** The project folder `npm start` ran in: the command line prefers the stack of the folder it runs in. */
  project_dir?: string;
  /**
   * The key pair this run's AWS parts (DynamoDB Local, S3, the SageMaker/SQS/Secrets Manager
   * emulator) check every request's signature against, made for this run: for the AWS CLI or a
   * test talking to them directly. The command line itself does not use it.
   */
  aws?: {
    region: string;
    access_key_id: string;
    secret_access_key: string;
    endpoints: { dynamodb: string; s3: string; emulator: string };
  };
}

/**
 * Whether a process of this user has that pid: a stack runs as the user who reads its file, so a
 * pid that only answers EPERM belongs to someone else now (the stack died and its pid was reused)
 * and the file is stale: whatever listens on its port now must never get the key.
 */
const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** This user's id where the platform has one (not on Windows: no owner checks there). */
const currentUid = () => process.getuid?.();

/** The folder of the default file's folder: checked as well, since we made it. */
const DEFAULT_PARENT = '.comfy-exec';

/**
 * The folder every `npm start` of this user leaves its file in, so `comfy-exec` in another terminal
 * finds it: `~/.comfy-exec/run/`, a place no other user can create anything (or the folder of
 * COMFY_EXEC_LOCAL_STACK_FILE). One place for every shell of the user: XDG_RUNTIME_DIR was tried,
 * but it differs between a desktop terminal, ssh, su and tmux, and a command line that did not see
 * the same value missed a running stack. Never the shared temp folder: another user could make
 * `/tmp/comfy-exec-{uid}` first, and /tmp's sticky bit keeps its owner from removing theirs.
 */
export function localStackFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMFY_EXEC_LOCAL_STACK_FILE) return dirname(env.COMFY_EXEC_LOCAL_STACK_FILE);
  return join(env.HOME || homedir(), DEFAULT_PARENT, 'run');
}

/**
 * Where the `npm start` of process `pid` writes its URL and key: its own `local-stack-{pid}.json`,
 * so that no stack (a second one, or one `npm test` starts) replaces or removes another's; or the
 * file COMFY_EXEC_LOCAL_STACK_FILE names (tests, or a user who wants one name per stack).
 */
export function localStackFile(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string {
  return env.COMFY_EXEC_LOCAL_STACK_FILE || join(localStackFolder(env), `local-stack-${pid}.json`);
}

/** The log `npm start` of process `pid` keeps beside its file (local/stack-log-file.ts). */
export function localStackLogFile(stackFile: string, pid = process.pid): string {
  return join(dirname(stackFile), `local-stack-${pid}.log`);
}

/**
 * Why `path` (no link followed) may not hold or give a key: not of the kind expected, not this
 * user's, or open to others. Undefined when it is safe.
 */
function unsafe(path: string, kind: 'file' | 'directory', uid: number | undefined): string | undefined {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return `${path} is a symbolic link`;
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) return `${path} is not a ${kind}`;
  if (uid === undefined) return undefined;
  if (stat.uid !== uid) return `${path} belongs to another user (uid ${stat.uid})`;
  // The file must be this user's to read; its folder only this user's to change (or a file could be swapped in).
  const open = kind === 'file' ? 0o077 : 0o022;
  if ((stat.mode & open) !== 0)
    return `${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * Makes the file's folder (only this user may enter it) or checks the one there: `npm start` calls
 * this before it starts anything, so a folder it cannot use stops it with nothing left running.
 */
export function prepareLocalStackFolder(path = localStackFile(), uid = currentUid()): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const ours = basename(dirname(folder)) === DEFAULT_PARENT ? [dirname(folder), folder] : [folder];
  const problem = ours.map((each) => unsafe(each, 'directory', uid)).find(Boolean);
  if (problem)
    throw new Error(
      `will not write the local stack's API key: ${problem}; remove that folder (or make it yours, mode 700) and start again, or set COMFY_EXEC_LOCAL_STACK_FILE to a file in a folder of yours`,
    );
}

/**
 * Written readable by this user only (it holds an API key), in a folder only this user can
 * enter: created exclusively, never through a link, then put in place. Never over the file of
 * another stack still running (two given the same COMFY_EXEC_LOCAL_STACK_FILE): the command line
 * told that name keeps finding the first, and this one's goes beside it as
 * `local-stack-{pid}.json`. Answers the path written.
 */
export function writeLocalStackFile(
  info: LocalStackInfo,
  path = localStackFile(),
  uid = currentUid(),
  alive = isRunning,
): string {
  prepareLocalStackFolder(path, uid);
  const folder = dirname(path);
  const staging = join(folder, `.local-stack-${process.pid}.json`);
  rmSync(staging, { force: true });
  const fd = openSync(
    staging,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    writeSync(fd, `${JSON.stringify(info, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    // A link fails when the name exists: two stacks starting at once cannot both take it.
    linkSync(staging, path);
    rmSync(staging);
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = readLocalStackFile(path, alive, uid);
  const target = holder && holder.pid !== info.pid ? join(folder, `local-stack-${info.pid}.json`) : path;
  renameSync(staging, target);
  return target;
}

/** Removes the file if it is still this process's (a newer `npm start` may have replaced it). */
export function removeLocalStackFile(pid: number, path = localStackFile()): void {
  if (readLocalStackFile(path, () => true)?.pid === pid) rmSync(path, { force: true });
}

/**
 * What the file says, when neither it nor its folder could have been planted by another user
 * (theirs, open to others, or a link) and it names a stack; whether that stack still runs aside.
 */
function trustedInfo(path: string, uid: number | undefined): LocalStackInfo | undefined {
  try {
    if (unsafe(dirname(path), 'directory', uid) || unsafe(path, 'file', uid)) return undefined;
    const info = JSON.parse(readFileSync(path, 'utf8')) as LocalStackInfo;
    // pid 1 is always alive (init): it proves nothing about a stack.
    return typeof info.api_url === 'string' &&
      typeof info.api_key === 'string' &&
      Number.isInteger(info.pid) &&
      info.pid > 1
      ? info
      : undefined;
  } catch {
    return undefined;
  }
}

/** The running local stack, if the file is trusted (see trustedInfo) and names a live process. */
export function readLocalStackFile(
  path = localStackFile(),
  alive = isRunning,
  uid = currentUid(),
): LocalStackInfo | undefined {
  const info = trustedInfo(path, uid);
  return info && alive(info.pid) ? info : undefined;
}

export interface FoundLocalStack {
  file: string;
  info: LocalStackInfo;
}

/** `local-stack-{pid}.json`, and the single name of earlier versions (`local-stack.json`). */
const STACK_FILE_NAME = /^local-stack(?:-(\d+))?\.json$/;

/**
 * Every local stack of this user that still runs, the one started last first: with
 * COMFY_EXEC_LOCAL_STACK_FILE, the stack of that file alone; else each trusted file of the folder
 * whose process is alive. A `local-stack-{pid}.json` whose process has ended is removed: only that
 * process ever writes that name, so nothing newer can be lost.
 */
export function findLocalStacks(
  env: NodeJS.ProcessEnv = process.env,
  alive = isRunning,
  uid = currentUid(),
  cwd = process.cwd(),
): FoundLocalStack[] {
  const named = env.COMFY_EXEC_LOCAL_STACK_FILE;
  if (named) {
    const info = readLocalStackFile(named, alive, uid);
    return info ? [{ file: named, info }] : [];
  }
  const folder = localStackFolder(env);
  let names: string[];
  try {
    if (unsafe(folder, 'directory', uid)) return [];
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const found: FoundLocalStack[] = [];
  for (const name of names) {
    // The log of a stack killed outright: nothing else names it.
    const logOf = /^local-stack-(\d+)\.log$/.exec(name)?.[1];
    if (logOf && Number(logOf) > 1 && !alive(Number(logOf))) rmSync(join(folder, name), { force: true });
    const pidInName = STACK_FILE_NAME.exec(name)?.[1];
    const file = join(folder, name);
    const info = STACK_FILE_NAME.test(name) ? trustedInfo(file, uid) : undefined;
    if (!info) continue;
    if (alive(info.pid)) found.push({ file, info });
    else if (pidInName === String(info.pid)) rmSync(file, { force: true });
  }
  const started = (stack: FoundLocalStack) => String(stack.info.started_at ?? '');
  // The stack of the project the command runs in first (two checkouts, two stacks), then the newest.
  const here = (stack: FoundLocalStack) => {
    const dir = stack.info.project_dir;
    return typeof dir === 'string' && (cwd === dir || cwd.startsWith(`${dir}/`)) ? 1 : 0;
  };
  return found.sort(
    (a, b) => here(b) - here(a) || started(b).localeCompare(started(a)) || b.info.pid - a.info.pid,
  );
}
