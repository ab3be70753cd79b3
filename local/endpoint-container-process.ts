import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');

export interface RunningContainer {
  url: string;
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Holds the container's AWS calls to the endpoint role's statements (see the file). */
const ROLE_PRELOAD = pathToFileURL(join(ROOT, 'local/iam-emulation/endpoint-role-preload.ts')).href;
/** Ends the container when the stack's process ends, however it does (see the file). */
const EXIT_WITH_PARENT = pathToFileURL(join(ROOT, 'local/exit-with-parent.ts')).href;

/**
 * The endpoint container's adapter in a process of its own, as on a SageMaker instance: the same
 * `container/src/main.ts`, run by tsx, its AWS calls held to the endpoint's execution role. Every
 * output line goes to `onLine` (the local stack shows it and keeps it for GetExecuteLogs).
 * Resolves once /ping answers 200.
 */
export async function startEndpointContainer(options: {
  port: number;
  env: Record<string, string | undefined>;
  /** Sent with the readiness probe: the caller token the container is given in `env`. */
  headers?: Record<string, string>;
  onLine(line: string): void;
  readyTimeoutMs?: number;
}): Promise<RunningContainer> {
  const entry = join(ROOT, 'container/src/main.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', ROLE_PRELOAD, '--import', EXIT_WITH_PARENT, entry],
    { cwd: ROOT, env: { ...options.env, PORT: String(options.port) }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => options.onLine(line));
  }
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the endpoint container exited with status ${child.exitCode} before it was ready`);
    try {
      const ping = await fetch(`${url}/ping`, {
        headers: options.headers,
        signal: AbortSignal.timeout(2000),
      });
      if (ping.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `the endpoint container did not answer /ping with 200 within ${options.readyTimeoutMs ?? 60_000} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop: () => stopChild(child) };
}
