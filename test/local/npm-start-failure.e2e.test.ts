import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NpmStartProcess, runNpmStart } from './npm-start-process';

/**
 * `npm start` that cannot start leaves nothing behind: no process of its group (DynamoDB Local's
 * Java, the container), no temporary folder of its parts, and says why in one line.
 */
const folders: string[] = [];
const runs: NpmStartProcess[] = [];
afterAll(() => {
  for (const run of runs) run.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(prefix: string, mode = 0o700) {
  const path = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(path, mode);
  folders.push(path);
  return path;
}

/** Its own temporary folder (TMPDIR), so what its parts leave there can be seen. */
function start(env: Record<string, string>) {
  const temp = folder('npm-start-tmp-');
  const run = runNpmStart({ TMPDIR: temp, ...env });
  runs.push(run);
  // tsx keeps a cache there; the parts' own folders are comfy-exec-* and comfyui-sim-*.
  const leftovers = () => readdirSync(temp).filter((name) => /^(comfy-exec-|comfyui-sim-)/.test(name));
  return { run, leftovers };
}

describe('npm start that cannot start', () => {
  it('refuses a discovery folder another user could have planted before starting any part, in one line', async () => {
    // What a folder made by someone else looks like to us: open to other users.
    const planted = folder('planted-', 0o777);
    const { run, leftovers } = start({ COMFY_EXEC_LOCAL_STACK_FILE: join(planted, 'local-stack.json') });
    expect(await run.exited()).toBe(1);
    expect(await run.survivors()).toEqual([]);
    expect(run.stderr).toEqual([
      expect.stringMatching(
        /^npm start: will not write the local stack's API key: .* is open to other users/,
      ),
    ]);
    expect(run.stdout).toEqual([]);
    expect(leftovers()).toEqual([]);
    expect(existsSync(join(planted, 'local-stack.json'))).toBe(false);
  }, 120_000);

  it('says in one line that the API port is taken, before starting any part, and leaves nothing behind', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const discovery = folder('discovery-');
      const { run, leftovers } = start({
        PORT: String(port),
        COMFY_EXEC_LOCAL_STACK_FILE: join(discovery, 'local-stack.json'),
      });
      expect(await run.exited()).toBe(1);
      expect(await run.survivors()).toEqual([]);
      expect(run.stderr).toEqual([
        `npm start: port ${port} is in use; set PORT=0 (any free port) or another port`,
      ]);
      // No part said it started (their lines are printed when a start fails): none was.
      expect(run.stdout).toEqual([]);
      expect(leftovers()).toEqual([]);
      expect(readdirSync(discovery)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 300_000);

  it('leaves no part running when npm start itself is killed outright (no chance to stop them)', async () => {
    const discovery = folder('discovery-');
    const { run } = start({ COMFY_EXEC_LOCAL_STACK_FILE: join(discovery, 'local-stack.json') });
    await run.ready();
    // The process that started the parts: DynamoDB Local's parent.
    const java = run.remainingProcesses().find((line) => / java .*DynamoDB/.test(` ${line}`));
    expect(java).toBeDefined();
    const stack = Number(
      execFileSync('ps', ['-o', 'ppid=', '-p', java!.split(' ')[0]!], { encoding: 'utf8' }),
    );
    process.kill(stack, 'SIGKILL');
    expect(await run.survivors()).toEqual([]);
  }, 300_000);
});
