import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliEnv, type NpmStart, startCli, startNpmStart } from './cli-harness';

const CHECKS = [
  'API answers with the key',
  'OpenAPI document',
  'endpoints',
  'dry run of EmptyImage → SaveImage (comfy-async-local)',
  'inputs upload round trip',
  'webhook secret',
  'ComfyUI websocket',
  'browser token',
  'web console',
];
const RUN = [
  'execute of EmptyImage → SaveImage (comfy-async-local)',
  'the execute, followed over the websocket (comfy-async-local)',
  'the execute, delivered as a webhook (comfy-async-local)',
];

let stack: NpmStart;
let env: Record<string, string>;
beforeAll(async () => {
  stack = await startNpmStart({ SIM_STEP_MS: '5' });
  env = cliEnv(stack);
}, 120_000);
afterAll(() => stack?.stop());

/** Each stdout line as [mark, what]: `✓ what (12 ms): …` → ['✓', 'what']. */
const marks = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [, mark, what] = /^([✓✗-]) (.+?)(?: \(\d+ ms\))?: /.exec(line) ?? [];
      return [mark, what];
    });

/** The endpoint container's process, in this `npm start`'s process group. */
function containerPid(pgid: number): number {
  const table = execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' });
  const line = table
    .split('\n')
    .map((row) => row.trim().split(/\s+/))
    .find(([group, , ...args]) => group === String(pgid) && args.join(' ').includes('container/src/main.ts'));
  if (!line) throw new Error(`no endpoint container in process group ${pgid}:\n${table}`);
  return Number(line[1]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('comfy-exec doctor, against npm start', () => {
  it('passes every check, one line each, and exits 0; --run adds a real execute whose PNG it checks', async () => {
    const plain = await cli(['doctor'], env);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(marks(plain.stdout)).toEqual(CHECKS.map((what) => ['✓', what]));
    expect(plain.stderr).toContain('all 9 checks passed');

    const run = await cli(['doctor', '--run'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(marks(run.stdout)).toEqual([...CHECKS, ...RUN].map((what) => ['✓', what]));
    expect(run.stdout).toMatch(
      /✓ execute .*: success in [\d.]+ s .*comfy-exec-doctor_\d+_\.png is a PNG of \d+ bytes$/m,
    );
    // The relay's path (the stream, the owner's connections) and the webhook path, each proven.
    expect(run.stdout).toMatch(/✓ the execute, followed over the websocket .*execution_success reached/);
    expect(run.stdout).toMatch(/✓ the execute, delivered as a webhook .*delivered `success` .*, signed$/m);
    // What doctor made to test is gone: no execute of its prompt is left under the key.
    const listed = await fetch(`${stack.apiUrl}executes`, {
      headers: { 'x-api-key': stack.apiKey },
    });
    expect(listed.status).toBe(200);
    expect(await listed.text()).not.toContain('comfy-exec-doctor');
    expect(run.stdout).toMatch(
      /✓ ComfyUI websocket .*: connected with the key .*refused without it \(HTTP 401\)/,
    );
    expect(run.stdout).toMatch(/✓ inputs upload round trip .*read the same bytes back .*deleted it/);
    expect(run.stdout).toMatch(
      /✓ browser token .*: issued for 60 s; the websocket opened with it and no key, and \/view took it$/m,
    );
  });

  it('--json prints one report object with each check: name, ok, ms, detail, hint', async () => {
    const { code, stdout } = await cli(['doctor', '--json', '--endpoint', 'comfy-async-local'], env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: true, api_url: stack.apiUrl });
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual([
      'api',
      'openapi',
      'endpoints',
      'dry-run',
      'inputs',
      'webhook-secret',
      'websocket',
      'browser-token',
      'console',
    ]);
    for (const check of report.checks)
      expect(check).toMatchObject({
        name: expect.any(String),
        ok: true,
        skipped: false,
        ms: expect.any(Number),
        detail: expect.any(String),
        hint: '',
      });
    expect(report.checks[3].endpoint).toBe('comfy-async-local');
  });

  it('with a wrong key: ✗ on the key check saying what to do, the rest skipped, exit 1', async () => {
    const { code, stdout } = await cli(
      ['--api-url', stack.apiUrl, '--api-key', 'not-the-key-000000000', 'doctor', '--run'],
      env,
    );
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^✗ API answers with the key \(\d+ ms\): the API refused the key \(403 Forbidden\) → check the API key/,
    );
    expect(lines.slice(1).every((line) => line.startsWith('- ') && line.includes('skipped'))).toBe(true);
    // Every check of a --run on the default endpoint: the nine, the run and its two followers.
    expect(lines).toHaveLength(12);
  });

  it("with the endpoint's container killed: ✗ on the run with the reason and where to look, not a hang", async () => {
    const pid = containerPid(stack.pid);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
    expect(alive(pid)).toBe(false);

    const { code, stdout, stderr } = await cli(['doctor', '--run', '--timeout', '5'], env);
    expect(code, stdout + stderr).toBe(1);
    const marked = marks(stdout);
    // Everything the container is not needed for still works (the catalog it published is in S3).
    expect(marked.slice(0, CHECKS.length)).toEqual(CHECKS.map((what) => ['✓', what]));
    expect(marked.slice(CHECKS.length)).toEqual([
      ['✗', RUN[0]],
      ['-', RUN[1]],
      ['-', RUN[2]],
    ]);
    const runLine = stdout.trim().split('\n').at(-3)!;
    expect(runLine).toMatch(
      /(ended `failed`: SageMaker could not get an answer from the endpoint's container|stayed `created` for \d+ s: the endpoint's container did not pick it up)/,
    );
    expect(runLine).toMatch(
      /→ check the endpoint's CloudWatch logs at https:\/\/\S+%2Faws%2Fsagemaker%2FEndpoints%2Fcomfy-async-local/,
    );
  });

  it('Ctrl-C mid-run: cancels and deletes the execute it made, exit 130', async () => {
    // The signal comes as soon as the execute exists, before doctor's first look at it (1 s on):
    // doctor has not seen it end, so it must undo it whatever the (dead) container did.
    const { child, done } = startCli(['doctor', '--run', '--timeout', '600'], env);
    let stderr = '';
    const promptId = await new Promise<string>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const id = /execute (\S+) created on/.exec(stderr)?.[1];
        if (id) resolve(id);
      });
    });
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(130);
    const left = await fetch(`${stack.apiUrl}executes/${promptId}`, {
      headers: { 'x-api-key': stack.apiKey },
    });
    expect(left.status).toBe(404);
    const inputs = await fetch(`${stack.apiUrl}inputs`, { headers: { 'x-api-key': stack.apiKey } });
    expect(await inputs.text()).not.toContain('comfy-exec-doctor');
  });
});
