import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed004UiWorkflow } from '../e2e/seed-prompts';
import { halvesPng, invertPrompt } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { cli, cliEnv, cliInTerminal, type NpmStart, startCli, startNpmStart } from './cli-harness';

const FIXTURES = join(import.meta.dirname, '../fixtures/embedded-workflow');

let stack: NpmStart;
let env: Record<string, string>;
beforeAll(async () => {
  // The usage plan's throttle at 4 requests/s, 2 at once: concurrent commands meet API Gateway's 429.
  stack = await startNpmStart({ SIM_STEP_MS: '20', THROTTLE_RATE_LIMIT: '4', THROTTLE_BURST_LIMIT: '2' });
  env = cliEnv(stack);
  writeFileSync(join(stack.dir, 'txt2img.json'), JSON.stringify(tinyTxt2imgPrompt(1, 2)));
  writeFileSync(join(stack.dir, 'slow.json'), JSON.stringify(tinyTxt2imgPrompt(1, 400)));
  writeFileSync(join(stack.dir, 'invert.json'), JSON.stringify(invertPrompt('example.png')));
  writeFileSync(join(stack.dir, 'cat.png'), halvesPng(6, 4));
}, 120_000);
afterAll(() => stack?.stop());

const createdId = (stderr: string) => /execute ([0-9a-f-]{36}) created/.exec(stderr)?.[1];

async function storedBytes(promptId: string, filename: string): Promise<Buffer> {
  const { stdout } = await cli(['get', promptId, '--json'], env);
  const execute = JSON.parse(stdout);
  const item = Object.values(execute.outputs as Record<string, Record<string, any[]>>)
    .flatMap((output) => Object.values(output).flat())
    .find((file) => file?.filename === filename);
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*?)\/?$/.exec(execute.output_path)!;
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${item.key}` }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

describe('comfy-exec, the command line, against npm start', () => {
  it('finds npm start by itself, runs a workflow with --set and --input, and downloads outputs equal to S3', async () => {
    const out = join(stack.dir, 'out-run');
    const run = await cli(['run', 'invert.json', '--input', 'image=cat.png', '--out', out], env, stack.dir);
    expect(run.stderr).toMatch(/uploaded cat\.png as in-\w+-cat\.png/);
    expect(run.code, run.stderr).toBe(0);
    const paths = run.stdout.trim().split('\n');
    expect(paths).toEqual([join(out, 'inverted_00001_.png')]);
    const id = createdId(run.stderr)!;
    expect(readFileSync(paths[0]!).equals(await storedBytes(id, 'inverted_00001_.png'))).toBe(true);
    const { width, height, data } = PNG.sync.read(readFileSync(paths[0]!));
    expect([width, height, ...data.subarray(0, 3)]).toEqual([6, 4, 0, 0, 0]);

    const changed = await cli(
      ['run', 'txt2img.json', '--set', '3.seed=42', '--set', 'KSampler.steps=3', '--json'],
      env,
      stack.dir,
    );
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      status: 'success',
      prompt_params: { prompt: { '3': { inputs: { seed: 42, steps: 3 } } } },
    });
    // Without a terminal: one plain line per change, no escape codes.
    expect(run.stderr).toMatch(/^\[\d+\.\ds\] success$/m);
    expect(run.stderr).not.toContain('\u001b[');
  });

  it('runs the workflow a real ComfyUI saved in a PNG, making the same pixels', async () => {
    const out = join(stack.dir, 'out-png');
    const run = await cli(['run', join(FIXTURES, 'inverted.png'), '--out', out], env);
    expect(run.code, run.stderr).toBe(0);
    const made = PNG.sync.read(readFileSync(run.stdout.trim()));
    const real = PNG.sync.read(readFileSync(join(FIXTURES, 'inverted.png')));
    expect([made.width, made.height, ...made.data.subarray(0, 3)]).toEqual([
      real.width,
      real.height,
      ...real.data.subarray(0, 3),
    ]);
  });

  it('shows a live progress bar in a terminal', async () => {
    const { code, output } = await cliInTerminal(
      ['run', join(stack.dir, 'txt2img.json'), '--out', join(stack.dir, 'out-tty')],
      env,
    );
    expect(code, output).toBe(0);
    expect(output, output).toMatch(/[█░]{10,} \d+% \| /);
    expect(output, output).toContain('100% | success');
    expect(output).toMatch(new RegExp(`^${join(stack.dir, 'out-tty')}/ComfyUI_\\d+_\\.png\\r?$`, 'm'));
  });

  it('cancels the execute on Ctrl-C without a terminal (nobody to ask), exiting 1', async () => {
    const running = startCli(['run', 'slow.json', '--out', join(stack.dir, 'out-sigint')], env, stack.dir);
    let id: string | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const { stdout } = await cli(['list', '--status', 'running', '--limit', '1', '--json'], env);
      id = stdout ? JSON.parse(stdout.split('\n')[0]!).prompt_id : undefined;
    }
    expect(id).toBeDefined();
    running.child.kill('SIGINT');
    const result = await running.done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`cancelling ${id}`);
    expect(result.stderr).toContain(`execute ${id} cancelled`);
    const get = await cli(['get', id!], env);
    expect(get.code).toBe(1);
    expect(get.stdout).toContain(`${id}  cancelled`);
  });

  it('asks on Ctrl-C in a terminal, and cancels when told yes', async () => {
    let interrupted = false;
    let answered = false;
    const { code, output } = await cliInTerminal(['run', join(stack.dir, 'slow.json')], env, (text, type) => {
      if (!interrupted && /KSampler \(node 3\)/.test(text)) {
        interrupted = true;
        type('\u0003');
      }
      if (!answered && /Cancel execute [0-9a-f-]{36}\? \[y\/N\]/.test(text)) {
        answered = true;
        type('y\r');
      }
    });
    expect(answered, output).toBe(true);
    expect(code, output).toBe(1);
    expect(output).toMatch(/execute [0-9a-f-]{36} cancelled/);
  });

  it('retries what API Gateway throttles, so concurrent commands all succeed', async () => {
    // The key's requests are kept at the throttle until one command says it retries a 429: on a
    // busy machine six commands may start too far apart to meet the throttle by themselves.
    const RETRIED = /retrying ListExecutes after attempt \d: HTTP 429/;
    const commands = Array.from({ length: 6 }, () => startCli(['--verbose', 'list', '--limit', '1'], env));
    let stopDraining = false;
    const seen = new Promise<void>((resolve) => {
      for (const { child } of commands) {
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          if (RETRIED.test(stderr)) resolve();
        });
      }
    });
    const results = Promise.all(commands.map((command) => command.done));
    void Promise.race([seen, results]).then(() => {
      stopDraining = true;
    });
    const keepAtThrottle = async () => {
      while (!stopDraining)
        await fetch(`${stack.apiUrl}executes?limit=1`, { headers: { 'x-api-key': stack.apiKey } }).then((r) =>
          r.arrayBuffer(),
        );
    };
    await Promise.all([keepAtThrottle(), keepAtThrottle()]);
    for (const result of await results) expect(result.code, result.stderr).toBe(0);
    expect((await results).filter((r) => RETRIED.test(r.stderr)).length).toBeGreaterThan(0);
  });

  it("lays out ComfyUI's node errors per node and exits 2 for an invalid workflow", async () => {
    const broken = tinyTxt2imgPrompt(1);
    broken['3'].inputs.steps = 0;
    broken['5'].inputs.width = 0;
    writeFileSync(join(stack.dir, 'broken.json'), JSON.stringify(broken));
    for (const command of ['validate', 'run']) {
      const result = await cli([command, 'broken.json'], env, stack.dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^comfy-exec: CreateExecute: Prompt outputs failed validation/);
      expect(result.stderr).toMatch(/^ {2}node 3 \(KSampler\):\n {4}- Value 0 smaller than min of 1/m);
      expect(result.stderr).toMatch(
        /^ {2}node 5 \(EmptyLatentImage\):\n {4}- Value 0 smaller than min of 16/m,
      );
    }
    const valid = await cli(['validate', join(FIXTURES, 'clip.mp4')], env);
    expect(valid).toMatchObject({ code: 0, stdout: 'valid: 3 nodes (API prompt from mp4)\n' });
  });

  it('fixes a UI workflow naming a model the endpoint lacks: validate shows the fix, run --set applies it', async () => {
    writeFileSync(join(stack.dir, 'seed004.json'), JSON.stringify(seed004UiWorkflow()));
    const refused = await cli(['validate', 'seed004.json', '--json'], env, stack.dir);
    expect(refused.code).toBe(2);
    const { prompt, node_errors } = JSON.parse(refused.stdout);
    expect(prompt['4'].inputs.ckpt_name).toBe('FLUX\\flux1-dev-fp8.safetensors');
    expect(node_errors['4'].class_type).toBe('CheckpointLoaderSimple');
    expect(refused.stderr).toMatch(
      /^ {2}--set 4\.ckpt_name=VALUE {2}\(the endpoint has: .*v1-5-pruned-emaonly\.safetensors/m,
    );
    expect(refused.stderr).not.toMatch(/example\.png/);
    const checked = await cli(
      ['validate', 'seed004.json', '--set', '4.ckpt_name=v1-5-pruned-emaonly.safetensors'],
      env,
      stack.dir,
    );
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/^valid: 7 nodes/);
    // The fix, at a size the simulator makes quickly.
    const fixedRun = (...more: string[]) =>
      cli(
        [
          'run',
          'seed004.json',
          ...['4.ckpt_name=v1-5-pruned-emaonly.safetensors', '5.width=64', '5.height=64'].flatMap((set) => [
            '--set',
            set,
          ]),
          ...more,
          '--json',
        ],
        env,
        stack.dir,
      );
    const run = await fixedRun();
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).prompt_params.prompt['4'].inputs.ckpt_name).toBe(
      'v1-5-pruned-emaonly.safetensors',
    );
    // --seed converts the workflow first too: the refusal's prompt is what it seeds and fixes.
    const seeded = await fixedRun('--seed', '7');
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(JSON.parse(seeded.stdout).prompt_params.prompt['3'].inputs.seed).toBe(7);
  });

  it('names the missing class (not a link beside it) and exits 2 for a workflow it cannot convert', async () => {
    const custom = tinyTxt2imgPrompt(1);
    custom['99'] = { class_type: 'FancyUpscalerPro', inputs: { image: ['42', 0], scale: 2 } };
    writeFileSync(join(stack.dir, 'custom.json'), JSON.stringify(custom));
    const missing = await cli(['validate', 'custom.json'], env, stack.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /Node 'FancyUpscalerPro' not found\. The custom node may not be installed/,
    );
    const workflow = seed004UiWorkflow();
    workflow.nodes.push({ id: 99, type: 'SomeCustomSampler', mode: 0, inputs: [], widgets_values: [1, 'x'] });
    writeFileSync(join(stack.dir, 'unconvertible.json'), JSON.stringify(workflow));
    const unconvertible = await cli(['validate', 'unconvertible.json'], env, stack.dir);
    expect(unconvertible.stderr).toMatch(
      /node 99 \(SomeCustomSampler\) is not in the endpoint's node catalog/,
    );
    expect(unconvertible.code).toBe(2);
  });

  it('exits 2 for usage mistakes and 3 for API errors, with one clear line', async () => {
    expect(await cli(['run'], env)).toMatchObject({ code: 2 });
    expect((await cli(['run', 'missing.json'], env)).stderr).toBe(
      'comfy-exec: cannot read missing.json: ENOENT\n',
    );
    const wrongKey = await cli(['list'], {
      ...env,
      COMFY_EXEC_API_URL: stack.apiUrl,
      COMFY_EXEC_API_KEY: 'nope',
    });
    expect(wrongKey).toMatchObject({
      code: 3,
      stderr: 'comfy-exec: ListExecutes: HTTP 403 Forbidden (is the API key right?)\n',
    });
    const urlOnly = await cli(['list'], { ...env, COMFY_EXEC_API_URL: stack.apiUrl });
    expect(urlOnly.code).toBe(2);
    // A key alone (another key of API_KEYS) takes the running stack's URL.
    const keyOnly = await cli(['--api-key', stack.apiKey, 'list'], env);
    expect(keyOnly.code, keyOnly.stderr).toBe(0);
    expect(await cli(['--version'], env)).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const nothing = await cli(['list'], cliEnv({ stackFile: join(stack.dir, 'none.json'), dir: stack.dir }));
    expect(nothing).toMatchObject({ code: 2 });
    expect(nothing.stderr).toMatch(/no API to talk to/);
    for (const command of ['run', 'get', 'cancel', 'logs', 'list', 'validate', 'endpoints', 'inputs']) {
      const help = await cli([command, '--help'], env);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toMatch(/^Usage: comfy-exec /);
    }
  });

  it('reads a profile from the config file, queues without waiting, and uploads and lists inputs', async () => {
    const config = join(stack.dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { dev: { api_url: stack.apiUrl, api_key: stack.apiKey } } }),
    );
    const profileEnv = cliEnv(
      { stackFile: join(stack.dir, 'none.json'), dir: stack.dir },
      { COMFY_EXEC_CONFIG: config },
    );
    const endpoints = await cli(['--profile', 'dev', 'endpoints'], profileEnv);
    expect(endpoints).toMatchObject({ code: 0, stdout: 'comfy-async-local  InService  ml.g5.xlarge × 1\n' });
    expect(await cli(['--profile', 'prod', 'endpoints'], profileEnv)).toMatchObject({ code: 2 });
    const queued = await cli(['run', 'txt2img.json', '--no-wait'], env, stack.dir);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect((await cli(['get', queued.stdout.trim()], env)).stdout).toMatch(
      /^[0-9a-f-]{36} {2}(created|running|success) /,
    );
    const upload = await cli(['inputs', 'upload', join(stack.dir, 'cat.png')], env);
    expect(upload.stdout).toMatch(/^in-\w+-cat\.png\n$/);
    expect((await cli(['inputs', 'list'], env)).stdout).toContain(upload.stdout.trim());
  });

  it('prints the key’s usage per day and endpoint, as JSON too, and exits 2 for a bad day', async () => {
    const run = await cli(['run', 'txt2img.json', '--json'], env, stack.dir);
    expect(run.code, run.stderr).toBe(0);
    const id = JSON.parse(run.stdout).prompt_id as string;
    // Every execute this file ran so far has ended; each is counted once its notification is handled.
    const executes = async () => JSON.parse((await cli(['usage', '--json'], env)).stdout).totals.executes;
    await expect.poll(executes, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const usage = JSON.parse((await cli(['usage', '--json'], env)).stdout);
    expect(usage.rows[0]).toMatchObject({
      endpoint_name: 'comfy-async-local',
      instance_type: 'ml.g5.xlarge',
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const table = await cli(['usage', '-e', 'comfy-async-local'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^usage of key key-\w+, \d{4}-\d{2}-01 to \d{4}-\d{2}-\d{2} \(UTC\)\n/);
    expect(table.stdout).toMatch(/\n\d{4}-\d{2}-\d{2} {2}comfy-async-local {2}\d+ executes? \(\d+ ok, /);
    expect(table.stdout).toMatch(
      /\ntotal {2}\d+ executes? .* GPU [\d.]+ s {2}queued [\d.]+ s {2}[\d.]+ MB out {2}—\n—: no price for that instance type .*PRICE_PER_HOUR\)\n$/,
    );
    const bad = await cli(['usage', '--from', '2026-1-1'], env);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(/--from must be YYYY-MM-DD/);
  });

  it('leaves the discovery file only while npm start runs', async () => {
    expect(JSON.parse(readFileSync(stack.stackFile, 'utf8'))).toMatchObject({ api_url: stack.apiUrl });
    await stack.stop();
    expect(existsSync(stack.stackFile)).toBe(false);
  });
});
