import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halvesPng } from '../fixtures/media';
import { CORPUS_DIR } from '../fixtures/prompts';
import { cli, cliEnv, type NpmStart, startNpmStart } from './cli-harness';

/** Real exports: LoadImage with `"upload": "image"` beside its `image`, as most API exports carry. */
const corpus = (name: string) =>
  JSON.parse(readFileSync(join(CORPUS_DIR, 'api', name), 'utf8')) as Record<string, any>;
/** LoadImage 10 holds example.png; its checkpoint (dreamshaper_8) is not on the local endpoint. */
const IMG2IMG = 'SaladTechnologies__comfyui-api__sd1.5-img2img.json';
/** Two LoadImage nodes, 4 and 195. */
const VTON = 'Me-in-U__ComfyUI_API__vton_api.json';
/** VAEEncodeForInpaint 26; LoadImage 20 holds a URL. */
const INPAINTING = 'replicate__cog-comfyui__sd15_inpainting.json';
/** What the local endpoint has, and few steps: the runs are about inputs, not pictures. */
const RUNNABLE = [
  '--set',
  'CheckpointLoaderSimple.ckpt_name=v1-5-pruned-emaonly.safetensors',
  '--set',
  '3.steps=2',
];

let stack: NpmStart;
let env: Record<string, string>;
beforeAll(async () => {
  stack = await startNpmStart({ SIM_STEP_MS: '20' });
  env = cliEnv(stack);
  writeFileSync(join(stack.dir, 'img2img.json'), JSON.stringify(corpus(IMG2IMG)));
  writeFileSync(join(stack.dir, 'vton.json'), JSON.stringify(corpus(VTON)));
  // The export as an older ComfyUI saved it: VAEEncodeForInpaint without its grow_mask_by.
  const inpainting = corpus(INPAINTING);
  delete inpainting['26'].inputs.grow_mask_by;
  writeFileSync(join(stack.dir, 'inpainting.json'), JSON.stringify(inpainting));
  writeFileSync(join(stack.dir, 'cat.png'), halvesPng(64, 64));
  writeFileSync(join(stack.dir, 'masked.png'), halvesPng(64, 64, { alpha: true }));
  writeFileSync(join(stack.dir, 'retry.png'), halvesPng(64, 48));
}, 120_000);
afterAll(() => stack?.stop());

const run = (args: string[]) => cli(['run', ...args], env, stack.dir);
const uploadedName = (stderr: string, file: string) =>
  new RegExp(`uploaded ${file.replace('.', '\\.')} as (in-\\w+-${file.replace('.', '\\.')})`).exec(
    stderr,
  )?.[1];

describe('comfy-exec run --input on real exports (an upload widget beside the file input)', () => {
  it('puts image=FILE into LoadImage.image, not into the upload widget whose value is "image"', async () => {
    const result = await run(['img2img.json', '--input', 'image=cat.png', ...RUNNABLE, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const name = uploadedName(result.stderr, 'cat.png');
    expect(name).toBeDefined();
    expect(JSON.parse(result.stdout).prompt_params.prompt['10'].inputs).toEqual({
      image: name,
      upload: 'image',
    });
  });

  it('refuses an input name two nodes have, listing both, before uploading anything', async () => {
    const result = await run(['vton.json', '--input', 'image=cat.png']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "the input file 'image' could be 4.image (LoadImage) = depositphotos_162960158-stock-photo-full-body-portrait-of-young.jpg, 195.image (LoadImage) = wedding_dress_13.jpg: name one as NODE.image",
    );
    expect(result.stderr).not.toContain('uploaded');
  });
});

describe('comfy-exec validate on a workflow whose example image the endpoint lacks', () => {
  it('says which --input fixes it, and validates with --input as run would place it', async () => {
    // The export as shared: its LoadImage names a picture of its author's (the endpoint has example.png).
    const shared = corpus(IMG2IMG);
    shared['10'].inputs.image = 'yosemite_inpaint_example.png';
    writeFileSync(join(stack.dir, 'img2img-shared.json'), JSON.stringify(shared));
    const checkpoint = RUNNABLE.slice(0, 2);
    const refused = await cli(['validate', 'img2img-shared.json', ...checkpoint], env, stack.dir);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('Invalid image file: yosemite_inpaint_example.png');
    expect(refused.stderr).toContain('--input 10.image=FILE');
    const fixed = await cli(
      ['validate', 'img2img-shared.json', ...checkpoint, '--input', '10.image=cat.png'],
      env,
      stack.dir,
    );
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/^valid: \d+ nodes/);
    // The same upload run makes (reused by run after this, as by a second validate).
    expect(fixed.stderr).toMatch(/(uploaded|reusing) .*cat\.png/);
  });
});

describe('comfy-exec run --set on an input the workflow lacks', () => {
  it("adds it from the node's catalog entry, where validation said it is required", async () => {
    const args = ['inpainting.json', '--input', 'image=masked.png', ...RUNNABLE];
    const missing = await run(args);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('grow_mask_by');

    const fixed = await run([...args, '--set', '26.grow_mask_by=6', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).prompt_params.prompt['26'].inputs).toMatchObject({ grow_mask_by: 6 });
  });

  it("refuses a name the catalog entry lacks too, listing the entry's inputs", async () => {
    const result = await run(['inpainting.json', '--set', '26.grow_mask=6']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "node 26 (VAEEncodeForInpaint) has no input 'grow_mask' (it has: pixels, vae, mask; its catalog entry has: pixels, vae, mask, grow_mask_by)",
    );
  });
});

describe('comfy-exec run after a failed run of the same file', () => {
  const listed = async () =>
    (await cli(['inputs', 'list'], env)).stdout.split('\n').filter((line) => /-retry\.png /.test(line));

  it('uses the upload it made instead of uploading the same bytes again', async () => {
    // dreamshaper_8 is not on the endpoint: refused after the upload.
    const failed = await run(['img2img.json', '--input', 'image=retry.png']);
    expect(failed.code).toBe(2);
    const first = uploadedName(failed.stderr, 'retry.png')!;
    expect(first).toBeDefined();

    const again = await run(['img2img.json', '--input', 'image=retry.png', ...RUNNABLE, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('uploaded retry.png');
    expect(again.stderr).toContain(`reusing ${first}: the same retry.png is uploaded`);
    expect(JSON.parse(again.stdout).prompt_params.prompt['10'].inputs.image).toBe(first);
    expect(await listed()).toHaveLength(1);

    // Other bytes under the same name are another file; a deleted upload is not reused.
    writeFileSync(join(stack.dir, 'retry.png'), halvesPng(48, 64));
    const changed = await run(['img2img.json', '--input', 'image=retry.png', ...RUNNABLE]);
    expect(changed.code, changed.stderr).toBe(0);
    const second = uploadedName(changed.stderr, 'retry.png')!;
    expect(second).not.toBe(first);
    expect((await cli(['inputs', 'delete', second], env)).code).toBe(0);
    const afterDelete = await run(['img2img.json', '--input', 'image=retry.png', ...RUNNABLE]);
    expect(afterDelete.code, afterDelete.stderr).toBe(0);
    expect(uploadedName(afterDelete.stderr, 'retry.png')).toBeDefined();
    expect(await listed()).toHaveLength(2);
  });
});
