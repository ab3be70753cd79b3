import { describe, expect, it } from 'vitest';
import {
  convertWorkflow,
  convertWorkflowWithWarnings,
} from '../../../lambda/domain/workflow/convert-workflow';
import { isUiWorkflow } from '../../../lambda/domain/workflow/ui-workflow';
import { corpusCatalog, corpusPairs } from '../../fixtures/corpus-pairs';
import { corpusApiPrompts } from '../../fixtures/prompts';

const catalog = corpusCatalog();

/**
 * Old frontends also sent LoadImage's upload button as an input (`upload` / `choose file to
 * upload`: "image"); the server ignores it and today's editor no longer sends it
 * (comfyui-server-api.md §9.2 rule 5), so the comparison leaves it out, with the values edited
 * after export (SOURCE.txt) and the server-written `is_changed`.
 */
const LEGACY_UPLOAD_BUTTONS = new Set(['upload', 'choose file to upload']);

function comparable(
  prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>,
  edited: Set<string>,
) {
  return Object.fromEntries(
    Object.entries(prompt).map(([id, node]) => [
      id,
      {
        class_type: node.class_type,
        inputs: Object.fromEntries(
          Object.entries(node.inputs).filter(
            ([name, value]) =>
              !edited.has(`${id}.${name}`) &&
              name !== 'is_changed' &&
              !(LEGACY_UPLOAD_BUTTONS.has(name) && value === 'image'),
          ),
        ),
      },
    ]),
  );
}

/** Node types a pair uses that neither corpus object_info knows (custom nodes of the exporting machine). */
function unknownPositionalNodes(workflow: any) {
  return (workflow.nodes as any[]).filter(
    (node) =>
      !catalog[node.type] &&
      !['Note', 'MarkdownNote', 'PrimitiveNode', 'Reroute'].includes(node.type) &&
      !node.type.startsWith('workflow') &&
      Array.isArray(node.widgets_values) &&
      node.widgets_values.length > 0 &&
      !(node.inputs ?? []).some((input: any) => input.widget) &&
      node.mode !== 2 &&
      node.mode !== 4,
  );
}

describe('UI workflow → API prompt', () => {
  it('detects the UI format and not the API one', () => {
    const [pair] = corpusPairs();
    expect(isUiWorkflow(pair!.workflow)).toBe(true);
    expect(isUiWorkflow(pair!.api)).toBe(false);
    for (const { prompt } of corpusApiPrompts()) expect(isUiWorkflow(prompt)).toBe(false);
  });

  const pairs = corpusPairs();
  const convertible = pairs.filter((pair) => unknownPositionalNodes(pair.workflow).length === 0);
  const needCustomNodes = pairs.filter((pair) => unknownPositionalNodes(pair.workflow).length > 0);

  it.each(convertible)(
    'pair $name converts to exactly its api.json, plus the required widgets the catalog added since',
    ({ workflow, api, editedInputs }) => {
      const { prompt, filled } = convertWorkflowWithWarnings(workflow, catalog);
      // The exporting editor predates these widgets; today's server refuses the prompt without them.
      for (const widget of filled) {
        expect((api as any)[widget.nodeId]?.inputs).not.toHaveProperty(widget.input);
        expect(catalog[widget.classType]?.input?.required).toHaveProperty(widget.input);
        delete prompt[widget.nodeId]!.inputs[widget.input];
      }
      expect(comparable(prompt, editedInputs)).toEqual(comparable(api, editedInputs));
    },
  );

  it('fills a required widget an older workflow lacks with its default, and says so', () => {
    const workflow = {
      last_node_id: 2,
      last_link_id: 0,
      nodes: [
        { id: 1, type: 'VAEEncodeForInpaint', mode: 0, inputs: [], outputs: [], widgets_values: [] },
        { id: 2, type: 'CLIPVisionEncode', mode: 0, inputs: [], outputs: [], widgets_values: [] },
      ],
      links: [],
      version: 0.4,
    };
    const { prompt, warnings } = convertWorkflowWithWarnings(workflow as any, catalog);
    expect(prompt['1']!.inputs).toEqual({ grow_mask_by: 6 });
    expect(prompt['2']!.inputs).toEqual({ crop: 'center' });
    expect(warnings).toEqual([
      "node 1 (VAEEncodeForInpaint): widget 'grow_mask_by' is missing from the saved workflow (saved by an older ComfyUI); filled with its default 6",
      `node 2 (CLIPVisionEncode): widget 'crop' is missing from the saved workflow (saved by an older ComfyUI); filled with its default "center"`,
    ]);
  });

  it('fills the widgets of a node saved with none at all (no widgets_values key), as the editor loads it', () => {
    const workflow = {
      last_node_id: 3,
      last_link_id: 0,
      nodes: [
        { id: 1, type: 'VAEEncodeForInpaint', mode: 0, inputs: [], outputs: [] },
        { id: 2, type: 'CLIPVisionEncode', mode: 0, inputs: [], outputs: [], widgets_values: null },
        { id: 3, type: 'StyleModelApply', mode: 0, inputs: [], outputs: [] },
      ],
      links: [],
      version: 0.4,
    };
    const { prompt, warnings } = convertWorkflowWithWarnings(workflow as any, catalog);
    expect(prompt['1']!.inputs).toEqual({ grow_mask_by: 6 });
    expect(prompt['2']!.inputs).toEqual({ crop: 'center' });
    expect(prompt['3']!.inputs).toEqual({ strength: 1, strength_type: 'multiply' });
    expect(warnings).toHaveLength(4);
  });

  it.each([
    ['013', ['13']],
    ['058', ['26']],
    ['079', ['13', '36']],
    ['082', ['50', '54']],
  ])('corpus pair %s (nodes saved without widgets_values) gets their widgets filled', (name, nodes) => {
    const pair = corpusPairs().find((each) => each.name === name)!;
    const saved = (pair.workflow as any).nodes.filter((node: any) => nodes.includes(String(node.id)));
    expect(saved.every((node: any) => !('widgets_values' in node))).toBe(true);
    const { prompt, filled } = convertWorkflowWithWarnings(pair.workflow, catalog);
    for (const id of nodes) {
      expect(filled.map((each) => each.nodeId)).toContain(id);
      const spec = catalog[prompt[id]!.class_type]!;
      for (const required of Object.keys(spec.input?.required ?? {}))
        expect(prompt[id]!.inputs, `${name} node ${id}`).toHaveProperty(required);
    }
  });

  it('leaves a missing optional widget to the server, and a linked one to its link', () => {
    const workflow = {
      last_node_id: 2,
      last_link_id: 1,
      nodes: [
        {
          id: 1,
          type: 'PrimitiveInt',
          mode: 0,
          inputs: [],
          outputs: [{ name: 'INT', type: 'INT', links: [1] }],
          widgets_values: [7, 'fixed'],
        },
        {
          id: 2,
          type: 'VAEEncodeForInpaint',
          mode: 0,
          inputs: [{ name: 'grow_mask_by', type: 'INT', link: 1, widget: { name: 'grow_mask_by' } }],
          outputs: [],
          widgets_values: [],
        },
      ],
      links: [[1, 1, 0, 2, 0, 'INT']],
      version: 0.4,
    };
    const { prompt, warnings } = convertWorkflowWithWarnings(workflow as any, catalog);
    expect(prompt['2']!.inputs).toEqual({ grow_mask_by: ['1', 0] });
    expect(warnings).toEqual([]);
  });

  it.each(needCustomNodes)(
    'pair $name uses custom nodes no corpus catalog has: a clear error naming the node, never a guess',
    ({ workflow }) => {
      const [unknown] = unknownPositionalNodes(workflow);
      expect(() => convertWorkflow(workflow, catalog)).toThrow(
        new RegExp(
          `node ${unknown.id} \\(${unknown.type.replace(/[()]/g, '\\$&')}\\) is not in the endpoint's node catalog`,
        ),
      );
    },
  );

  it('converts most pairs, and every pair whose nodes the catalogs know', () => {
    expect(pairs).toHaveLength(42);
    expect(convertible).toHaveLength(37);
    expect(needCustomNodes.map((pair) => pair.name)).toEqual(['094', '100', '106', '112', '115']);
  });
});
