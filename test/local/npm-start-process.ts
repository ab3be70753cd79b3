import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { groupPids, groupProcesses } from './listening-sockets';

const ROOT = join(import.meta.dirname, '../..');

export interface NpmStartProcess {
  /** npm start's pid: the leader of its own process group, which every part it starts joins. */
  pgid: number;
  stdout: string[];
  stderr: string[];
  /** Resolves with the banner's lines once `Ready.` is printed; rejects if it exits first. */
  ready(): Promise<string[]>;
  /** Resolves with the first stdout line matching `pattern`, once printed; rejects if it exits first. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code once npm start has exited. */
  exited(): Promise<number | null>;
  /** The processes of its group still alive (pids). */
  remaining(): number[];
  /** The same, as `pid command…` lines. */
  remainingProcesses(): string[];
  /**
   * Once npm start has exited: the processes of its group that outlive it, as `pid command…`
   * lines. A helper of tsx's (esbuild) ends on its own a moment after npm start; a part left
   * running (an orphan) never does. So this waits up to `graceMs` for the group to empty, and
   * answers whatever is still there.
   */
  survivors(graceMs?: number): Promise<string[]>;
  /** SIGINT to the whole group (Ctrl-C in a terminal), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL to whatever of the group is left (a failed test's clean-up). */
  kill(): void;
}

/** `npm start` as a user runs it in a terminal (its own process group), with `env` added. */
export function runNpmStart(env: Record<string, string | undefined>): NpmStartProcess {
  if (!env.COMFY_EXEC_LOCAL_STACK_FILE && !env.HOME)
    throw new Error(
      "give npm start its own COMFY_EXEC_LOCAL_STACK_FILE or HOME: a test never writes the user's ~/.comfy-exec",
    );
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: '0', SIM_STEP_MS: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiting: { pattern: RegExp; resolve(line: string): void }[] = [];
  // 'close': exited, and everything it printed read.
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // Settles on the event itself: `Ready.` printed, or npm start gone.
  const readiness = new Promise<string[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      for (const wait of waiting.filter((w) => w.pattern.test(line))) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve(line);
      }
      if (line === 'Ready.') resolve([...stdout]);
    });
    void exit.then((code) =>
      reject(new Error(`npm start exited (${code}) before Ready.:\n${[...stdout, ...stderr].join('\n')}`)),
    );
  });
  readiness.catch(() => undefined);
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const pgid = child.pid!;
  return {
    pgid,
    stdout,
    stderr,
    ready: () => readiness,
    line: (pattern) => {
      const seen = stdout.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ pattern, resolve });
        void exit.then((code) => reject(new Error(`npm start exited (${code}) before printing ${pattern}`)));
      });
    },
    exited: () => exit,
    remaining: () => groupPids(pgid),
    remainingProcesses: () => groupProcesses(pgid),
    async survivors(graceMs = 20_000) {
      await exit;
      const deadline = Date.now() + graceMs;
      while (groupProcesses(pgid).length > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      return groupProcesses(pgid);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-pgid, 'SIGINT');
      await exit;
    },
    kill() {
      if (groupPids(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
    },
  };
}
