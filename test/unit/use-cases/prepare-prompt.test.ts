import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromptValidationError } from '../../../lambda/domain/errors';
import { preparePrompt } from '../../../lambda/use-cases/prepare-prompt';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { CORPUS_DIR, txt2imgPrompt } from '../../fixtures/prompts';

const catalogs = { forEndpoint: async () => corpusCatalog() };

async function refusalOf(prompt: unknown): Promise<PromptValidationError> {
  const error = await preparePrompt(prompt, 'default', catalogs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromptValidationError);
  return error as PromptValidationError;
}

describe("preparePrompt: a class the endpoint lacks comes first, as in ComfyUI's validate_prompt", () => {
  it('names the class of an untitled node (an API export without _meta)', async () => {
    const prompt = txt2imgPrompt() as Record<string, any>;
    prompt['99'] = { class_type: 'FancyUpscalerPro', inputs: { image: ['8', 0], scale: 2 } };
    const { data } = await refusalOf(prompt);
    expect(data.error).toEqual({
      type: 'missing_node_type',
      message: "Node 'FancyUpscalerPro' not found. The custom node may not be installed.",
      details: "Node ID '#99'",
      extra_info: { node_id: '99', class_type: 'FancyUpscalerPro', node_title: 'FancyUpscalerPro' },
    });
  });

  it('names both the title and the class when the node was renamed', async () => {
    const prompt = txt2imgPrompt() as Record<string, any>;
    prompt['3'].class_type = 'ClownsharKSampler_Beta';
    prompt['3']._meta = { title: 'ClownsharKSampler' };
    const { data } = await refusalOf(prompt);
    expect(data.error.message).toBe(
      "Node 'ClownsharKSampler' (ClownsharKSampler_Beta) not found. The custom node may not be installed.",
    );
    expect(data.error.extra_info).toMatchObject({
      class_type: 'ClownsharKSampler_Beta',
      node_title: 'ClownsharKSampler',
    });
  });

  it('reports the missing class, not the dangling link beside it', async () => {
    const prompt = txt2imgPrompt() as Record<string, any>;
    prompt['99'] = { class_type: 'FancyUpscalerPro', inputs: { image: ['42', 0] } };
    const error = await refusalOf(prompt);
    expect(error.data.error.type).toBe('missing_node_type');
    expect(error.message).toMatch(/^Node 'FancyUpscalerPro' not found/);
  });

  it('keeps the graph that failed on the error (a dry run answers it), never in a create’s data', async () => {
    const prompt = txt2imgPrompt() as Record<string, any>;
    prompt['4'].inputs.ckpt_name = 'absent.safetensors';
    const error = await refusalOf(prompt);
    expect(error.graph?.['4']?.inputs.ckpt_name).toBe('absent.safetensors');
    expect(Object.keys(error.data).sort()).toEqual(['error', 'node_errors']);
  });
});

describe('preparePrompt: a class another environment has is named there (one endpoint per environment)', () => {
  /** The custom node an environment installed, as its endpoint publishes it in /object_info. */
  const withPack = () => ({
    ...corpusCatalog(),
    FancyUpscalerPro: {
      input: { required: { image: ['IMAGE'], scale: ['INT', { default: 2, min: 1, max: 8 }] } },
      output: ['IMAGE'],
      output_is_list: [false],
      output_name: ['IMAGE'],
      name: 'FancyUpscalerPro',
      display_name: 'Fancy Upscaler Pro',
      category: 'image/upscaling',
      output_node: false,
      python_module: 'custom_nodes.ComfyUI-Fancy',
    },
  });
  const perEndpoint = {
    forEndpoint: async (name: string) => {
      if (name === 'comfy-async-video') return withPack();
      if (name === 'comfy-async-unpublished') throw new Error('no catalog published yet');
      return corpusCatalog();
    },
  };
  const prompt = () => {
    const graph = txt2imgPrompt() as Record<string, any>;
    graph['99'] = { class_type: 'FancyUpscalerPro', inputs: { image: ['8', 0], scale: 2 } };
    return graph;
  };
  const refusal = (endpoint: string, others: string[]) =>
    preparePrompt(prompt(), endpoint, perEndpoint, undefined, undefined, [], others).then(
      () => undefined,
      (e: unknown) => e as PromptValidationError,
    );

  it('says which endpoint has it and how to send the prompt there', async () => {
    const error = await refusal('comfy-async-basic', [
      'comfy-async-basic',
      'comfy-async-unpublished',
      'comfy-async-video',
    ]);
    expect(error).toBeInstanceOf(PromptValidationError);
    expect(error!.data.error).toEqual({
      type: 'missing_node_type',
      message:
        'Node \'FancyUpscalerPro\' not found on endpoint comfy-async-basic; endpoint comfy-async-video has it: send the prompt there ("workflow_name": "video" or "endpoint_name": "comfy-async-video").',
      details: "Node ID '#99'",
      extra_info: {
        node_id: '99',
        class_type: 'FancyUpscalerPro',
        node_title: 'FancyUpscalerPro',
        available_on: ['comfy-async-video'],
      },
    });
  });

  it('names it for a UI workflow too, whose conversion stops at the node this endpoint lacks', async () => {
    // A real export (ComfyUI's SD1.5 graph from comfyui-deploy), one node a pack's instead.
    const workflow = JSON.parse(
      readFileSync(join(CORPUS_DIR, 'ui/BennyKok__comfyui-deploy__stable-diffusion-v15.json'), 'utf8'),
    ) as { nodes: { id: number; type: string; widgets_values?: unknown }[] };
    const sampler = workflow.nodes.find((node) => node.type === 'KSampler')!;
    sampler.type = 'FancyUpscalerPro';
    const refused = await preparePrompt(
      workflow,
      'comfy-async-basic',
      perEndpoint,
      undefined,
      undefined,
      [],
      ['comfy-async-basic', 'comfy-async-video'],
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PromptValidationError);
    expect((refused as PromptValidationError).data.error).toMatchObject({
      type: 'missing_node_type',
      extra_info: {
        node_id: String(sampler.id),
        class_type: 'FancyUpscalerPro',
        available_on: ['comfy-async-video'],
      },
    });
    // No other endpoint has it: the conversion's own error, as before.
    const alone = await preparePrompt(
      workflow,
      'comfy-async-basic',
      perEndpoint,
      undefined,
      undefined,
      [],
      ['comfy-async-basic'],
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(alone?.message).toContain("is not in the endpoint's node catalog");
  });

  it("keeps ComfyUI's own message when no endpoint has it, and runs where it is", async () => {
    const nowhere = await refusal('comfy-async-basic', ['comfy-async-basic', 'comfy-async-unpublished']);
    expect(nowhere!.data.error.message).toBe(
      "Node 'FancyUpscalerPro' not found. The custom node may not be installed.",
    );
    expect(nowhere!.data.error.extra_info).not.toHaveProperty('available_on');
    // Sent where it is, the class check passes: what is left is that catalog's own checks
    // (this corpus catalog lists no checkpoint; the operator has not allowed the custom node).
    const there = await refusal('comfy-async-video', ['comfy-async-basic', 'comfy-async-video']);
    expect(there!.data.error.type).toBe('prompt_outputs_failed_validation');
    expect(JSON.stringify(there!.data.node_errors)).not.toContain('missing_node_type');
  });
});
