import { describe, expect, it } from 'vitest';
import { PromptValidationError } from '../../../lambda/domain/errors';
import { preparePrompt } from '../../../lambda/use-cases/prepare-prompt';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { txt2imgPrompt } from '../../fixtures/prompts';

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
