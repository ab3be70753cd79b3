import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPromptStructure } from '../../../lambda/domain/prompt-graph';
import { convertWorkflow, WorkflowConversionError } from '../../../lambda/domain/workflow/convert-workflow';
import type { SubgraphDefinition, UiNode, UiWorkflow } from '../../../lambda/domain/workflow/ui-workflow';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { CORPUS_DIR } from '../../fixtures/prompts';

const catalog = corpusCatalog();
const SUBGRAPH = '5f0c4f2e-0000-4000-8000-000000000001';
const INNER = '5f0c4f2e-0000-4000-8000-000000000002';

/**
 * A text encoder subgraph: inputs `clip` (socket) and `text` (widget of the inner encoder), one
 * CONDITIONING output; the shape the editor saves (links as objects, input node -10, output -20).
 */
function encoderSubgraph(innerText = 'inner text'): SubgraphDefinition {
  return {
    id: SUBGRAPH,
    name: 'Encode',
    inputs: [
      { name: 'clip', type: 'CLIP' },
      { name: 'text', type: 'STRING' },
    ],
    outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING' }],
    nodes: [
      {
        id: 7,
        type: 'CLIPTextEncode',
        mode: 0,
        inputs: [
          { name: 'clip', type: 'CLIP', link: 1 },
          { name: 'text', type: 'STRING', widget: { name: 'text' }, link: 2 },
        ],
        widgets_values: [innerText],
      },
    ],
    links: [
      { id: 1, origin_id: -10, origin_slot: 0, target_id: 7, target_slot: 0, type: 'CLIP' },
      { id: 2, origin_id: -10, origin_slot: 1, target_id: 7, target_slot: 1, type: 'STRING' },
      { id: 3, origin_id: 7, origin_slot: 0, target_id: -20, target_slot: 0, type: 'CONDITIONING' },
    ],
  };
}

/** Checkpoint → [instance as positive and negative] → KSampler → VAEDecode → SaveImage. */
function workflowWith(
  instance: (id: number, clipLink: number, out: number) => UiNode,
  extra: Partial<UiWorkflow> = {},
) {
  const workflow: UiWorkflow = {
    last_node_id: 20,
    version: 0.4,
    nodes: [
      {
        id: 1,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        inputs: [],
        widgets_values: ['model.safetensors'],
      },
      instance(2, 11, 12),
      instance(3, 13, 14),
      { id: 4, type: 'EmptyLatentImage', mode: 0, inputs: [], widgets_values: [512, 512, 1] },
      {
        id: 5,
        type: 'KSampler',
        mode: 0,
        inputs: [
          { name: 'model', type: 'MODEL', link: 10 },
          { name: 'positive', type: 'CONDITIONING', link: 12 },
          { name: 'negative', type: 'CONDITIONING', link: 14 },
          { name: 'latent_image', type: 'LATENT', link: 15 },
        ],
        widgets_values: [42, 'fixed', 20, 7, 'euler', 'normal', 1],
      },
      {
        id: 6,
        type: 'VAEDecode',
        mode: 0,
        inputs: [
          { name: 'samples', type: 'LATENT', link: 16 },
          { name: 'vae', type: 'VAE', link: 17 },
        ],
      },
      {
        id: 8,
        type: 'SaveImage',
        mode: 0,
        inputs: [{ name: 'images', type: 'IMAGE', link: 18 }],
        widgets_values: ['out'],
      },
    ],
    links: [
      [10, 1, 0, 5, 0, 'MODEL'],
      [11, 1, 1, 2, 0, 'CLIP'],
      [12, 2, 0, 5, 1, 'CONDITIONING'],
      [13, 1, 1, 3, 0, 'CLIP'],
      [14, 3, 0, 5, 2, 'CONDITIONING'],
      [15, 4, 0, 5, 3, 'LATENT'],
      [16, 5, 0, 6, 0, 'LATENT'],
      [17, 1, 2, 6, 1, 'VAE'],
      [18, 6, 0, 8, 0, 'IMAGE'],
    ],
    definitions: { subgraphs: [encoderSubgraph()] },
    ...extra,
  };
  return workflow;
}

const instanceNode =
  (values: unknown[] = [], mode = 0) =>
  (id: number, clipLink: number, out: number): UiNode => ({
    id,
    type: SUBGRAPH,
    mode,
    inputs: [
      { name: 'clip', type: 'CLIP', link: clipLink },
      { name: 'text', type: 'STRING', widget: { name: 'text' }, link: null },
    ],
    outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING', links: [out] }],
    widgets_values: values,
  });

describe('subgraphs → API prompt', () => {
  it('expands each instance to `<instance>:<inner>` nodes fed from outside, its output read from inside', () => {
    const prompt = convertWorkflow(workflowWith(instanceNode()), catalog);
    expect(prompt['2:7']).toEqual({
      class_type: 'CLIPTextEncode',
      inputs: { text: 'inner text', clip: ['1', 1] },
      _meta: { title: 'CLIP Text Encode (Prompt)' },
    });
    expect(prompt['3:7']!.inputs).toEqual({ text: 'inner text', clip: ['1', 1] });
    expect(prompt['5']!.inputs).toMatchObject({ positive: ['2:7', 0], negative: ['3:7', 0] });
    expect(Object.keys(prompt).sort()).toEqual(['1', '2:7', '3:7', '4', '5', '6', '8']);
    expect(checkPromptStructure(prompt)).toBeUndefined();
  });

  it("uses the instance's own widget values (older frontends) over the inner widget's", () => {
    const workflow = workflowWith((id, clip, out) =>
      instanceNode([id === 2 ? 'a red fox' : 'blurry'])(id, clip, out),
    );
    const prompt = convertWorkflow(workflow, catalog);
    expect(prompt['2:7']!.inputs.text).toBe('a red fox');
    expect(prompt['3:7']!.inputs.text).toBe('blurry');
  });

  it('links from outside win over widget values, and an unfed socket stays unconnected', () => {
    const workflow = workflowWith(instanceNode(['ignored']));
    workflow.nodes.push({
      id: 9,
      type: 'PrimitiveNode',
      mode: 0,
      outputs: [{ type: 'STRING', links: [19] }],
      widgets_values: ['from a primitive'],
    });
    workflow.links.push([19, 9, 0, 2, 1, 'STRING']);
    workflow.nodes[1]!.inputs![1]!.link = 19;
    workflow.nodes[2]!.inputs![0]!.link = null;
    const prompt = convertWorkflow(workflow, catalog);
    expect(prompt['2:7']!.inputs.text).toBe('from a primitive');
    expect(prompt['3:7']!.inputs).toEqual({ text: 'ignored' });
  });

  it('expands nested subgraphs to `a:b:c` ids', () => {
    const outer: SubgraphDefinition = {
      id: INNER,
      name: 'Wrapper',
      inputs: [{ name: 'clip', type: 'CLIP' }],
      outputs: [{ name: 'CONDITIONING', type: 'CONDITIONING' }],
      nodes: [{ ...instanceNode()(20, 1, 2), inputs: [{ name: 'clip', type: 'CLIP', link: 1 }] }],
      links: [
        { id: 1, origin_id: -10, origin_slot: 0, target_id: 20, target_slot: 0, type: 'CLIP' },
        { id: 2, origin_id: 20, origin_slot: 0, target_id: -20, target_slot: 0, type: 'CONDITIONING' },
      ],
    };
    const workflow = workflowWith((id, clip, out) => ({ ...instanceNode()(id, clip, out), type: INNER }), {
      definitions: { subgraphs: [encoderSubgraph('nested'), outer] },
    });
    const prompt = convertWorkflow(workflow, catalog);
    expect(prompt['2:20:7']!.inputs).toEqual({ text: 'nested', clip: ['1', 1] });
    expect(prompt['5']!.inputs.negative).toEqual(['3:20:7', 0]);
  });

  it('drops a muted instance with the inputs that read it, and bypasses a bypassed one by type', () => {
    const muted = convertWorkflow(
      workflowWith((id, clip, out) => instanceNode([], id === 3 ? 2 : 0)(id, clip, out)),
      catalog,
    );
    expect(Object.keys(muted).some((id) => id.startsWith('3'))).toBe(false);
    expect(muted['5']!.inputs.negative).toBeUndefined();
    // Bypassing a CLIP → CONDITIONING subgraph leaves nothing of the consumed type to pass through.
    const bypassed = convertWorkflow(
      workflowWith((id, clip, out) => instanceNode([], id === 3 ? 4 : 0)(id, clip, out)),
      catalog,
    );
    expect(Object.keys(bypassed).some((id) => id.startsWith('3'))).toBe(false);
    expect(bypassed['5']!.inputs.negative).toBeUndefined();
  });

  it('refuses, naming the node, a subgraph that contains itself, expansion past the node limit, and instance values that do not fit', () => {
    const selfContaining = encoderSubgraph();
    selfContaining.nodes.push({ id: 8, type: SUBGRAPH, mode: 0, inputs: [] });
    expect(() =>
      convertWorkflow(
        workflowWith(instanceNode(), { definitions: { subgraphs: [selfContaining] } }),
        catalog,
        10_000,
      ),
    ).toThrow('node 2: subgraph Encode contains itself (Encode → Encode)');
    expect(() => convertWorkflow(workflowWith(instanceNode()), catalog, 6)).toThrow(
      /subgraphs expand to 7 nodes; this deployment accepts at most 6/,
    );
    expect(() => convertWorkflow(workflowWith(instanceNode(['a', 'b'])), catalog)).toThrow(
      new WorkflowConversionError(
        'node 2 (subgraph Encode) has 2 widget values for 1 widget inputs; export the workflow in API format',
        '2',
      ).message,
    );
  });
});

describe('subgraph workflows in the corpus', () => {
  const dir = join(CORPUS_DIR, 'ui');
  const withSubgraphs = readdirSync(dir)
    .map((name) => ({ name, workflow: JSON.parse(readFileSync(join(dir, name), 'utf8')) as UiWorkflow }))
    .filter(({ workflow }) => (workflow.definitions?.subgraphs ?? []).length > 0);

  it('has subgraph workflows to check', () => {
    expect(withSubgraphs.length).toBeGreaterThanOrEqual(6);
  });

  it.each(withSubgraphs)(
    '$name: no instance survives, ids are `a:b`, every link resolves',
    ({ workflow }) => {
      const subgraphTypes = new Set(workflow.definitions!.subgraphs!.map((graph) => graph.id));
      let prompt: ReturnType<typeof convertWorkflow>;
      try {
        prompt = convertWorkflow(workflow, catalog);
      } catch (error) {
        // Custom nodes no corpus catalog has: the error names a node that is not a subgraph instance.
        expect(error).toBeInstanceOf(WorkflowConversionError);
        expect((error as Error).message).toMatch(/^node [\d:]+ \(.+\) is not in the endpoint's node catalog/);
        expect(subgraphTypes.has(/\((.+)\)/.exec((error as Error).message)![1]!)).toBe(false);
        return;
      }
      for (const [id, node] of Object.entries(prompt)) {
        expect(id).toMatch(/^\d+(:\d+)*$/);
        expect(subgraphTypes.has(node.class_type)).toBe(false);
      }
      expect(checkPromptStructure(prompt)).toBeUndefined();
    },
  );

  it('converts the getting-started template exactly as the editor would queue it', () => {
    const { workflow } = withSubgraphs.find(({ name }) => name.includes('01_get_started'))!;
    const prompt = convertWorkflow(workflow, catalog);
    expect(prompt['60']!.inputs).toEqual({ filename_prefix: 'z-image-turbo', images: ['104:88', 0] });
    expect(prompt['104:92']!.inputs).toEqual({
      seed: 0,
      steps: 4,
      cfg: 1,
      sampler_name: 'res_multistep',
      scheduler: 'simple',
      denoise: 1,
      model: ['104:93', 0],
      positive: ['104:90', 0],
      negative: ['104:87', 0],
      latent_image: ['104:91', 0],
    });
    expect(prompt['104:91']!.inputs).toEqual({ width: 1024, height: 1024, batch_size: 1 });
    expect(Object.keys(prompt)).toHaveLength(10);
  });

  it('gives instance widget values and outside links precedence in the Qwen edit template', () => {
    const { workflow } = withSubgraphs.find(({ name }) => name.includes('02_qwen'))!;
    const prompt = convertWorkflow(workflow, catalog);
    // The instance's seed (392667428726572) wins over the inner KSampler's own (1118877715456453).
    expect(prompt['141:137']!.inputs.seed).toBe(392667428726572);
    expect(prompt['141:142']!.inputs).toEqual({ width: ['144', 0], height: ['144', 1], batch_size: 1 });
    expect(prompt['141:128']!.inputs.image1).toEqual(['143', 0]);
    expect(prompt['141:128']!.inputs.image2).toBeUndefined();
  });
});
