import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComfyExecClient } from '../../client/src/client';
import { runExecute } from '../../client/src/run';
import type { ApiPrompt, CreateExecuteRequest, UploadedInput } from '../../client/src/types';
import { CORPUS_DIR } from '../fixtures/prompts';

const corpus = (name: string) =>
  JSON.parse(readFileSync(join(CORPUS_DIR, name), 'utf8')) as Record<string, any>;
const OBJECT_INFO = corpus('object_info/Hype3808__yuzuki-phone__object_info.json');
/** A real export: LoadImage 10 with `"image": "example.png", "upload": "image"`. */
const img2img = () => corpus('api/SaladTechnologies__comfyui-api__sd1.5-img2img.json') as ApiPrompt;
/** sd15_inpainting as an export that predates VAEEncodeForInpaint's grow_mask_by. */
const inpainting = () => {
  const prompt = corpus('api/replicate__cog-comfyui__sd15_inpainting.json') as ApiPrompt;
  delete prompt['26']!.inputs.grow_mask_by;
  return prompt;
};
const CAT = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The client's calls a run makes, answered in memory: what each was asked is kept. */
function fakeClient(stored: UploadedInput[] = []) {
  const calls = { nodeInfo: [] as string[], uploads: [] as unknown[], created: [] as CreateExecuteRequest[] };
  const client = {
    async nodeInfo(nodeClass: string) {
      calls.nodeInfo.push(nodeClass);
      return OBJECT_INFO[nodeClass];
    },
    async listInputs() {
      return { items: stored, nextKey: null, s3Prefix: 's3://bucket/inputs/x/' };
    },
    async uploadInput(_file: unknown, options: { filename: string; sha256?: string }) {
      calls.uploads.push(options);
      return { name: `in-000000000new00001-${options.filename}`, filename: options.filename };
    },
    async create(request: CreateExecuteRequest) {
      calls.created.push(request);
      return { prompt_id: request.prompt_id };
    },
    async wait(promptId: string) {
      return { prompt_id: promptId, status: 'success' };
    },
  };
  return { client: client as unknown as ComfyExecClient, calls };
}

const stored = (overrides: Partial<UploadedInput>): UploadedInput => ({
  name: 'in-000000000old00001-cat.png',
  filename: 'cat.png',
  content_type: 'image/png',
  size: CAT.byteLength,
  uploaded_at: new Date().toISOString(),
  expires_at: Math.floor(Date.now() / 1000) + 86_400,
  sha256: sha256(CAT),
  ...overrides,
});

const sentPrompt = (calls: { created: CreateExecuteRequest[] }) => calls.created[0]!.prompt as ApiPrompt;

describe('run(): input files', () => {
  it('puts `image` into LoadImage.image of a real export, its upload widget untouched', async () => {
    const { client, calls } = fakeClient();
    await runExecute(client, img2img(), { inputs: { image: new File([CAT], 'cat.png') } });
    expect(sentPrompt(calls)['10']!.inputs).toEqual({
      image: 'in-000000000new00001-cat.png',
      upload: 'image',
    });
    expect(calls.uploads).toEqual([expect.objectContaining({ filename: 'cat.png', sha256: sha256(CAT) })]);
  });

  it('reuses an upload of the same name and bytes instead of uploading again', async () => {
    const { client, calls } = fakeClient([stored({})]);
    const reused: string[] = [];
    await runExecute(client, img2img(), {
      inputs: { image: new File([CAT], 'cat.png') },
      onReuse: (input) => reused.push(input.name),
    });
    expect(calls.uploads).toEqual([]);
    expect(reused).toEqual(['in-000000000old00001-cat.png']);
    expect(sentPrompt(calls)['10']!.inputs.image).toBe('in-000000000old00001-cat.png');
  });

  it('uploads again when the bytes, the name or the time left differ', async () => {
    for (const other of [
      stored({ sha256: sha256(new Uint8Array([1])) }),
      stored({ filename: 'dog.png' }),
      stored({ sha256: undefined }),
      stored({ expires_at: Math.floor(Date.now() / 1000) + 60 }),
    ]) {
      const { client, calls } = fakeClient([other]);
      await runExecute(client, img2img(), { inputs: { image: new File([CAT], 'cat.png') } });
      expect(calls.uploads).toHaveLength(1);
    }
  });
});

describe('run(): --set values', () => {
  it('asks the catalog nothing when every input named is in the prompt', async () => {
    const { client, calls } = fakeClient();
    await runExecute(client, inpainting(), { set: { '3.seed': 1, '29.ckpt_name': 'v1.safetensors' } });
    expect(calls.nodeInfo).toEqual([]);
    expect(sentPrompt(calls)['3']!.inputs.seed).toBe(1);
  });

  it("adds an input the node lacks from its class's catalog entry, asking once per class", async () => {
    const { client, calls } = fakeClient();
    await runExecute(client, inpainting(), {
      set: { '26.grow_mask_by': 6, 'VAEEncodeForInpaint.grow_mask_by': 8 },
    });
    expect(calls.nodeInfo).toEqual(['VAEEncodeForInpaint']);
    expect(sentPrompt(calls)['26']!.inputs.grow_mask_by).toBe(8);
  });

  it('fails on a mistyped input before any file is uploaded', async () => {
    const { client, calls } = fakeClient();
    await expect(
      runExecute(client, inpainting(), {
        inputs: { image: new File([CAT], 'cat.png') },
        set: { '26.grow_mask': 6 },
      }),
    ).rejects.toThrow('its catalog entry has: pixels, vae, mask, grow_mask_by');
    expect(calls.uploads).toEqual([]);
    expect(calls.created).toEqual([]);
  });
});
