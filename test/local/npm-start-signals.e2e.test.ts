import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  return { run, file, folder };
}

describe('npm start signalled as a process manager does (npm pid only)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`stops every part and removes its discovery file on ${signal} to npm`, async () => {
      const { run, file, folder } = await started();
      process.kill(run.pgid, signal);
      expect(await run.survivors()).toEqual([]);
      expect(existsSync(file)).toBe(false);
      // Its log (the debug links' target) goes with it.
      expect(readdirSync(folder)).toEqual([]);
    }, 300_000);

  it('stops every part when npm itself is killed outright (SIGKILL: nothing forwarded)', async () => {
    const { run } = await started();
    process.kill(run.pgid, 'SIGKILL');
    expect(await run.survivors()).toEqual([]);
  }, 300_000);
});

describe('npm start: the debug links of its answers', () => {
  it('say local and point at its own log file (private, beside its discovery file), never the AWS console', async () => {
    const { run, file, folder } = await started();
    const { api_url, api_key } = JSON.parse(readFileSync(file, 'utf8'));
    const answer = await fetch(new URL('executes', api_url), { headers: { 'x-api-key': api_key } });
    const { debug } = (await answer.json()) as { debug: Record<string, string> };
    expect(Object.keys(debug).sort()).toEqual(['function_url', 'log_url', 'trace_url']);
    const log = fileURLToPath(debug.log_url!.replace(/#.*$/, ''));
    expect(dirname(log)).toBe(folder);
    expect(log).toMatch(/local-stack-\d+\.log$/);
    expect(debug.function_url).toMatch(/#local-function=comfy-exec-local-\w+/);
    expect(debug.trace_url).toMatch(/#local-trace=1-[0-9a-f]+-[0-9a-f]+$/);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(readFileSync(log, 'utf8')).toMatch(/^\[dynamodb\] DynamoDB Local at /m);
    await run.stop();
    expect(existsSync(log)).toBe(false);
  }, 300_000);
});
