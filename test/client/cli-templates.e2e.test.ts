import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Execute, parseExactJson } from '../../client/src/index';
import { halvesPng } from '../fixtures/media';
import { CORPUS_DIR } from '../fixtures/prompts';
import { cli, cliEnv, type NpmStart, startNpmStart } from './cli-harness';

/** ComfyUI_examples' SDXL base + refiner (pair 001): PrimitiveNodes, Notes, groups; both models on the local endpoint. */
const SDXL = join(CORPUS_DIR, 'pairs/001/workflow.json');
/** ComfyUI_examples' unCLIP (pair 013): a LoadImage (node 34) and a KSampler (node 3). */
const UNCLIP = join(CORPUS_DIR, 'pairs/013/workflow.json');
/** Its parameters as a user declares them; the checkpoint defaults to one the local endpoint has. */
const UNCLIP_INPUTS = {
  prompt: { places: ['6.text'], description: 'what to see' },
  negative_prompt: { places: ['7.text'] },
  image: { places: ['34.image'], description: 'the picture to vary' },
  seed: { places: ['3.seed'] },
  steps: { places: ['3.steps'] },
  sampler: { places: ['3.sampler_name'] },
  checkpoint: { places: ['32.ckpt_name'], default: 'v1-5-pruned-emaonly.safetensors' },
};
const PARAMETER_NAMES = Object.keys(UNCLIP_INPUTS)
  .map((name) => `'${name}'`)
  .join(', ');

let stack: NpmStart;
let env: Record<string, string>;
beforeAll(async () => {
  stack = await startNpmStart({ SIM_STEP_MS: '20' });
  env = cliEnv(stack);
  writeFileSync(join(stack.dir, 'unclip-inputs.json'), JSON.stringify(UNCLIP_INPUTS));
  writeFileSync(join(stack.dir, 'cat.png'), halvesPng(64, 48));
}, 120_000);
afterAll(() => stack?.stop());

const templates = (...args: string[]) => cli(['templates', ...args], env, stack.dir);
const createdId = (stderr: string) => /execute ([0-9a-f-]{36}) created/.exec(stderr)?.[1];

describe('comfy-exec templates, against npm start', () => {
  it('saves real UI workflows, typed by the endpoint catalog; lists and shows them', async () => {
    expect(await templates('list')).toMatchObject({ code: 0, stdout: 'no templates\n' });

    const derived = await templates('save', 'sdxl', SDXL);
    expect(derived.code, derived.stderr).toBe(0);
    expect(derived.stderr).toMatch(
      /^saved template sdxl: \d+ derived parameter\(s\), runs on comfy-async-local$/m,
    );
    expect(derived.stdout).toMatch(/^PARAMETER +TYPE +DEFAULT +PLACES$/m);
    expect(derived.stdout).toMatch(/^width +integer 16\.\.16384 +1024 +5\.width$/m);
    expect(derived.stdout).toMatch(
      /^\S+ +integer 0\.\.18446744073709551615 +721897303308196 +10\.noise_seed$/m,
    );

    const declared = await templates('save', 'unclip', UNCLIP, '--inputs', 'unclip-inputs.json');
    expect(declared.code, declared.stderr).toBe(0);
    expect(declared.stderr).toContain('saved template unclip: 7 declared parameter(s)');
    expect(declared.stderr).toMatch(
      /^run it: comfy-exec run --template unclip --param image=image\.png --param prompt='beautiful photograph' /m,
    );
    expect(declared.stdout).toMatch(/^sampler +one of \d+: euler, \S+, … +uni_pc_bh2 +3\.sampler_name$/m);
    expect(declared.stdout).toMatch(
      /^checkpoint +checkpoints model \(\d+ on the endpoint\) +v1-5-pruned-emaonly\.safetensors +32\.ckpt_name$/m,
    );

    const list = await templates('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^NAME +ENDPOINT +PARAMETERS +UPDATED\nsdxl +comfy-async-local +derived +\S+Z\nunclip +comfy-async-local +7 +\S+Z\n$/,
    );
    const rows = (await templates('list', '--json')).stdout.trim().split('\n');
    expect(rows.map((row) => (JSON.parse(row) as { name: string }).name)).toEqual(['sdxl', 'unclip']);

    const show = await templates('show', 'unclip');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^template unclip: declared parameters; runs on comfy-async-local$/m);
    expect(show.stdout).toMatch(/^PARAMETER +TYPE +DEFAULT +DESCRIPTION$/m);
    expect(show.stdout).toMatch(/^prompt +text \(multi-line\) +beautiful photograph +what to see$/m);
    // The workflow's mountains.png is not on this endpoint: the image has no default, a run names one.
    expect(show.stdout).toMatch(/^image +image file +\(required\) +the picture to vary; image file: /m);
    expect(show.stdout).toMatch(/^steps +integer 1\.\.10000 +26$/m);
    expect(show.stdout).toMatch(
      /^example:\n {2}comfy-exec run --template unclip --param image=image\.png --param prompt='beautiful photograph' --param seed=509273045161628\n$/m,
    );
    const schema = await templates('show', 'unclip', '--schema');
    // The seed's maximum as ComfyUI means it, not the double JSON.parse would make of it.
    expect(schema.stdout).toMatch(/"maximum": 18446744073709551615\b/);
    expect(parseExactJson(schema.stdout)).toMatchObject({ properties: { image: { 'x-file': 'image' } } });
    const json = parseExactJson((await templates('show', 'unclip', '--json')).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ name: 'unclip', declared_inputs: { seed: { places: ['3.seed'] } } });
  });

  it('runs a template with typed --param values and a local PNG; outputs saved, the execute names the template', async () => {
    const out = join(stack.dir, 'out-fox');
    const run = await cli(
      [
        'run',
        '--template',
        'unclip',
        '--param',
        'prompt=a red fox, in the snow',
        '--param',
        'seed=18446744073709551615',
        '--param',
        'steps=2',
        '--param',
        'sampler=euler',
        '--param',
        'image=cat.png',
        '--out',
        out,
      ],
      env,
      stack.dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${join(out, 'ComfyUI_00001_.png')}\n`);
    expect(readFileSync(join(out, 'ComfyUI_00001_.png')).subarray(1, 4).toString()).toBe('PNG');
    const uploaded = /^uploaded cat\.png as (in-\S+-cat\.png)$/m.exec(run.stderr)?.[1];
    expect(uploaded, run.stderr).toBeDefined();
    const id = createdId(run.stderr)!;

    const record = parseExactJson((await cli(['get', id, '--json'], env)).stdout) as Execute;
    expect(record.template).toEqual({
      name: 'unclip',
      create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      inputs: {
        prompt: 'a red fox, in the snow',
        seed: '18446744073709551615',
        steps: 2,
        sampler: 'euler',
        image: uploaded,
      },
    });
    const prompt = record.prompt_params.prompt as Record<string, { inputs: Record<string, unknown> }>;
    expect(prompt['3']!.inputs).toMatchObject({
      seed: 18446744073709551615n,
      steps: 2,
      sampler_name: 'euler',
    });
    expect(prompt['32']!.inputs.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');
    const details = (await cli(['get', id], env)).stdout;
    expect(details).toMatch(/^template: unclip {2}/m);
    expect(details).toMatch(/^template: .* prompt='a red fox, in the snow'( |$)/m);
    expect(details).toMatch(/^template: .* seed=18446744073709551615( |$)/m);
    const runs = await cli(['list', '--template', 'unclip'], env);
    expect(runs.stdout).toContain(id);
    expect((await cli(['list', '--template', 'sdxl'], env)).stdout).toBe('no executes of template sdxl\n');

    // A data: URL is the API's to decode; --no-wait prints the id asked for.
    const promptId = crypto.randomUUID();
    const dataUrl = `data:image/png;base64,${halvesPng(32, 32).toString('base64')}`;
    const queued = await cli(
      [
        'run',
        '-t',
        'unclip',
        '--param',
        `image=${dataUrl}`,
        '--param',
        'steps=2',
        '--prompt-id',
        promptId,
        '--no-wait',
      ],
      env,
      stack.dir,
    );
    expect(queued).toMatchObject({ code: 0, stdout: `${promptId}\n` });
    const download = await cli(['download', promptId, '--out', join(stack.dir, 'out-data-url')], env);
    expect(download.code, download.stderr).toBe(0);
  });

  it('refuses bad --param values before anything is uploaded or run, naming the parameter (exit 2)', async () => {
    const executeIds = async () =>
      (await cli(['list', '--json'], env)).stdout.match(/"prompt_id":"[0-9a-f-]{36}"/g);
    const before = await executeIds();
    const refused = async (params: string[], message: string) => {
      const run = await cli(
        ['run', '--template', 'unclip', '--param', 'image=cat.png', ...params.flatMap((p) => ['--param', p])],
        env,
        stack.dir,
      );
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('comfy-exec templates show unclip');
      expect(run.stderr).not.toContain('uploaded');
    };
    await refused(['colour=red'], `unknown parameter 'colour'; this template takes ${PARAMETER_NAMES}`);
    await refused(['steps=many'], "parameter 'steps': expected an integer (digits only), not 'many'");
    await refused(['steps=0'], "parameter 'steps': 0 is below the minimum 1");
    await refused(
      ['seed=18446744073709551616'],
      "parameter 'seed': 18446744073709551616 is above the maximum 18446744073709551615",
    );
    await refused(['sampler=fastest'], "parameter 'sampler': fastest is not one of the choices: euler, ");

    const seed = await cli(['run', '--template', 'unclip', '--seed', 'random'], env, stack.dir);
    expect(seed).toMatchObject({ code: 2, stderr: expect.stringContaining('--param seed=N') });
    const both = await cli(['run', SDXL, '--template', 'unclip'], env, stack.dir);
    expect(both).toMatchObject({ code: 2, stderr: expect.stringContaining('not both') });
    expect(await executeIds()).toEqual(before);

    const missing = await cli(['run', '--template', 'nope'], env, stack.dir);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('schema with name nope not found');
  });

  it('tells a taken name to use --update, updates with it, and deletes (saying which were not there)', async () => {
    const taken = await templates('save', 'unclip', UNCLIP);
    expect(taken).toMatchObject({
      code: 2,
      stderr: 'comfy-exec: template unclip already exists: add --update to replace it\n',
    });
    const update = await templates('save', 'unclip', UNCLIP, '--update', '--derive');
    expect(update.code, update.stderr).toBe(0);
    expect(update.stderr).toMatch(/^updated template unclip: \d+ derived parameter\(s\)/m);
    expect(update.stdout).toMatch(/^image +image file +\(required\) +34\.image$/m);

    const deleted = await templates('delete', 'sdxl', 'unclip', 'nope');
    expect(deleted).toMatchObject({
      code: 3,
      stdout: 'sdxl  deleted\nunclip  deleted\n',
      stderr: 'comfy-exec: no template nope\n',
    });
    expect(await templates('list')).toMatchObject({ code: 0, stdout: 'no templates\n' });
  });

  it('has help for each command, in the style of the others', async () => {
    for (const command of [
      ['templates'],
      ['templates', 'save'],
      ['templates', 'list'],
      ['templates', 'show'],
      ['templates', 'delete'],
    ]) {
      const help = await cli([...command, '--help'], env);
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: comfy-exec ${command.join(' ')} `));
    }
    const run = await cli(['run', '--help'], env);
    expect(run.stdout).toMatch(/^ {2}-t, --template <name> /m);
    expect(run.stdout).toMatch(/^ {2}--param <name=value> /m);
  });
});
