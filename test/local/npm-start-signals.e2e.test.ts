import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NpmStartProcess, runNpmStart } from './npm-start-process';

/**
 * A process manager, a script or an IDE signals the pid it started, `npm` itself, not the whole
 * process group as a terminal's Ctrl-C does: the stack must end then too, and not live on orphaned.
 */
const folders: string[] = [];
const runs: NpmStartProcess[] = [];
afterAll(() => {
  for (const run of runs) run.kill();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function started() {
  const folder = mkdtempSync(join(tmpdir(), 'npm-start-signals-'));
  chmodSync(folder, 0o700);
  folders.push(folder);
  const file = join(folder, 'local-stack.json');
  const run = runNpmStart({ COMFY_EXEC_LOCAL_STACK_FILE: file });
  runs.push(run);
  await run.ready();
  expect(existsSync(file)).toBe(true);
  expect(run.remainingProcesses().some((line) => /java .*DynamoDB/.test(line))).toBe(true);
  return { run, file };
}

describe('npm start signalled as a process manager does (npm pid only)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`stops every part and removes its discovery file on ${signal} to npm`, async () => {
      const { run, file } = await started();
      process.kill(run.pgid, signal);
      expect(await run.survivors()).toEqual([]);
      expect(existsSync(file)).toBe(false);
    }, 300_000);

  it('stops every part when npm itself is killed outright (SIGKILL: nothing forwarded)', async () => {
    const { run } = await started();
    process.kill(run.pgid, 'SIGKILL');
    expect(await run.survivors()).toEqual([]);
  }, 300_000);
});
