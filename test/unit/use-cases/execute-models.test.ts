import { describe, expect, it } from 'vitest';
import { CachedModelLookup } from '../../../lambda/adapters/cached-model-lookup';
import { PromptValidationError } from '../../../lambda/domain/errors';
import type { StoredModel } from '../../../lambda/domain/ports';
import { createExecute, dryRunExecute } from '../../../lambda/use-cases/create-execute';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput, txt2imgPrompt } from '../../fixtures/prompts';

const model = (folder: string, name: string, sha256: string | null = null): StoredModel => ({
  folder,
  name,
  size: 1234,
  source: null,
  sha256,
  last_modified: '2026-12-01T00:00:00.000Z',
});

/** txt2img with a LoRA and a text encoder between the checkpoint and the sampler. */
function withLora(lora: string, clip = 'qwen_3_4b.safetensors') {
  const prompt: Record<string, any> = txt2imgPrompt();
  prompt['20'] = {
    class_type: 'LoraLoader',
    inputs: { model: ['4', 0], clip: ['4', 1], lora_name: lora, strength_model: 1, strength_clip: 1 },
  };
  prompt['21'] = { class_type: 'CLIPLoader', inputs: { clip_name: clip, type: 'stable_diffusion' } };
  prompt['22'] = { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['21', 0] } };
  prompt['23'] = {
    class_type: 'ConditioningCombine',
    inputs: { conditioning_1: ['6', 0], conditioning_2: ['22', 0] },
  };
  prompt['3'].inputs.model = ['20', 0];
  prompt['3'].inputs.positive = ['23', 0];
  return prompt;
}

describe('CreateExecute with library models', () => {
  it('accepts a model the endpoint lacks but the library holds, and stages it for the endpoint to fetch', async () => {
    const { deps, payloads, library } = fakeCreateDeps();
    library.set('loras/sdxl/detail.safetensors', model('loras', 'sdxl/detail.safetensors', 'ab'.repeat(32)));
    const { record } = await createExecute(
      createInput({ prompt: withLora('sdxl/detail.safetensors') }),
      'key-a',
      deps,
    );
    const staged = JSON.parse(payloads.objects.get(record.prompt_path)!);
    expect(staged.model_files).toEqual([
      {
        folder: 'loras',
        name: 'sdxl/detail.safetensors',
        source: 's3://bucket/models/loras/sdxl/detail.safetensors',
        size: 1234,
        sha256: 'ab'.repeat(32),
      },
    ]);
  });

  it("stages nothing for models the endpoint lists, and reads text encoders from the library's clip folder too", async () => {
    const { deps, payloads, library } = fakeCreateDeps();
    library.set('clip/my_t5.safetensors', model('clip', 'my_t5.safetensors'));
    const { record } = await createExecute(
      createInput({ prompt: withLora('Z-xhs888.safetensors', 'my_t5.safetensors') }),
      'key-a',
      deps,
    );
    const staged = JSON.parse(payloads.objects.get(record.prompt_path)!);
    expect(staged.model_files).toEqual([
      expect.objectContaining({
        folder: 'text_encoders',
        source: 's3://bucket/models/clip/my_t5.safetensors',
      }),
    ]);
  });

  it.each(['missing.safetensors', '../checkpoints/v1-5-pruned-emaonly.safetensors'])(
    'refuses %s as ComfyUI would (value_not_in_list) before anything is stored',
    async (lora) => {
      const { deps, payloads, store, library } = fakeCreateDeps();
      library.set('loras/../checkpoints/v1-5-pruned-emaonly.safetensors', model('loras', 'x'));
      const attempt = createExecute(createInput({ prompt: withLora(lora) }), 'key-a', deps);
      await expect(attempt).rejects.toThrow(PromptValidationError);
      const error = (await attempt.catch((e: unknown) => e)) as PromptValidationError;
      expect(error.data.node_errors['20']!.errors[0]).toMatchObject({ type: 'value_not_in_list' });
      expect(payloads.objects.size + store.records.size).toBe(0);
    },
  );

  it('dry_run knows the library too', async () => {
    const { deps, library } = fakeCreateDeps();
    library.set('loras/new.safetensors', model('loras', 'new.safetensors'));
    const outcome = await dryRunExecute(createInput({ prompt: withLora('new.safetensors') }), 'key-a', deps);
    expect(outcome.node_errors).toEqual({});
  });
});

describe('CreateExecute: model names looked up per execute (issue 25)', () => {
  /** `count` LoraLoaders chained on txt2img, each naming its own LoRA (`same`: all one name). */
  function manyLoras(count: number, same = false) {
    const prompt: Record<string, any> = txt2imgPrompt();
    let model: [string, number] = ['4', 0];
    for (let i = 0; i < count; i++) {
      const id = String(100 + i);
      prompt[id] = {
        class_type: 'LoraLoader',
        inputs: {
          model,
          clip: ['4', 1],
          lora_name: `l${same ? 0 : i}.safetensors`,
          strength_model: 1,
          strength_clip: 1,
        },
      };
      model = [id, 0];
    }
    prompt['3'].inputs.model = model;
    return prompt;
  }

  it('refuses more than 100 different names before any lookup, in a dry run too', async () => {
    const { deps } = fakeCreateDeps();
    let lookups = 0;
    const find = deps.models.find;
    deps.models.find = (folder, name) => {
      lookups++;
      return find(folder, name);
    };
    for (const run of [createExecute, dryRunExecute])
      await expect(
        run(createInput({ prompt: manyLoras(101), dry_run: run === dryRunExecute }), 'key-a', deps),
      ).rejects.toThrow(/names 101 different models the endpoint does not list; at most 100 per execute/);
    expect(lookups).toBe(0);
    // 500 nodes naming one model: one name, looked up once per folder it may be in.
    await expect(createExecute(createInput({ prompt: manyLoras(500, true) }), 'key-a', deps)).rejects.toThrow(
      PromptValidationError,
    );
    expect(lookups).toBeLessThanOrEqual(2);
  });
});

describe('the model lookup cache', () => {
  it('believes a found model for a minute, and asks again for one not found', async () => {
    let now = 0;
    const asked: string[] = [];
    const present = new Set<string>();
    const lookup = new CachedModelLookup(
      {
        find: async (folder, name) => {
          asked.push(name);
          return present.has(name) ? model(folder, name) : undefined;
        },
      },
      60_000,
      () => now,
    );
    expect(await lookup.find('loras', 'a.safetensors')).toBeUndefined();
    present.add('a.safetensors');
    expect(await lookup.find('loras', 'a.safetensors')).toBeDefined(); // a miss is never cached
    expect(await lookup.find('loras', 'a.safetensors')).toBeDefined();
    expect(asked).toHaveLength(2);
    now = 60_001;
    present.delete('a.safetensors');
    expect(await lookup.find('loras', 'a.safetensors')).toBeUndefined();
    expect(asked).toHaveLength(3);
  });
});
