import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `npm start` leaves for the command line: how to reach the local stack. */
export interface LocalStackInfo {
  api_url: string;
  api_key: string;
  pid: number;
  started_at: string;
}

/**
 * Where `npm start` writes its URL and key while it runs, so `comfy-exec` in another terminal finds
 * it: the OS temp folder, or COMFY_EXEC_LOCAL_STACK_FILE (tests use their own).
 */
export function localStackFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.COMFY_EXEC_LOCAL_STACK_FILE || join(tmpdir(), 'comfy-exec', 'local-stack.json');
}

/** Written readable by this user only: it holds an API key. */
export function writeLocalStackFile(info: LocalStackInfo, path = localStackFile()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the file if it is still this process's (a newer `npm start` may have replaced it). */
export function removeLocalStackFile(pid: number, path = localStackFile()): void {
  if (readLocalStackFile(path, () => true)?.pid === pid) rmSync(path, { force: true });
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running local stack, if the file names one whose process is alive. */
export function readLocalStackFile(path = localStackFile(), alive = isRunning): LocalStackInfo | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LocalStackInfo;
    return typeof info.api_url === 'string' && typeof info.api_key === 'string' && alive(info.pid)
      ? info
      : undefined;
  } catch {
    return undefined;
  }
}
