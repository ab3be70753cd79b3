import { describe, expect, it } from 'vitest';
import { convertWorkflow, WorkflowConversionError } from '../../../lambda/domain/workflow/convert-workflow';
import { LINKS_PER_NODE, MAX_SUBGRAPH_DEFINITIONS } from '../../../lambda/domain/workflow/expansion-limits';
import type {
  SubgraphDefinition,
  UiLink,
  UiNode,
  UiWorkflow,
} from '../../../lambda/domain/workflow/ui-workflow';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { subgraphBomb } from '../../fixtures/workflow-bombs';
import { countingInputs } from './counting-inputs';

const catalog = corpusCatalog();
const MAX_NODES = 5000;

/**
 * The workflow with every node of every definition (subgraphs and group nodes) counting how often
 * its `inputs` are read. Measuring never reads them; building an instance copies every inner node
 * (its `inputs` included), so the count says how much was built without timing anything.
 */
function probed(workflow: UiWorkflow) {
  const probe = { reads: 0 };
  const watch = <T extends UiNode>(node: T): T => countingInputs(node, probe);
  for (const definition of workflow.definitions?.subgraphs ?? [])
    definition.nodes = definition.nodes.map(watch);
  for (const group of Object.values(workflow.extra?.groupNodes ?? {}) as { nodes: UiNode[] }[])
    group.nodes = group.nodes.map(watch);
  return { workflow, probe };
}

const refusal = (workflow: UiWorkflow, maxNodes = MAX_NODES) => {
  try {
    convertWorkflow(workflow, catalog, maxNodes);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowConversionError);
    return (error as Error).message;
  }
  throw new Error('the workflow was converted');
};

/** A definition of `nodes` (instances of `instanceOf`, or loaders) and `links` link entries. */
function definition(id: string, nodes: number, instanceOf?: string, links = 0): SubgraphDefinition {
  return {
    id,
    name: id,
    inputs: [],
    outputs: [],
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: i + 1,
      type: instanceOf ?? 'CheckpointLoaderSimple',
      inputs: [],
      widgets_values: instanceOf ? [] : ['m.safetensors'],
    })),
    links: Array.from({ length: links }, (_, i): UiLink => [i + 1, 1, 0, 1, 0, 'MODEL']),
  };
}

const withInstances = (count: number, type: string, subgraphs: SubgraphDefinition[]): UiWorkflow => ({
  last_node_id: count,
  version: 0.4,
  nodes: Array.from({ length: count }, (_, i) => ({ id: i + 1, type, inputs: [] })),
  links: [],
  definitions: { subgraphs },
});

describe('subgraph bombs are refused from the definitions alone, before anything is built', () => {
  it("refuses issue 25's bomb (800 instances of a 400-node subgraph), naming MAX_PROMPT_NODES; builds nothing", () => {
    const bomb = subgraphBomb(800, 400);
    expect(JSON.stringify(bomb).length).toBeLessThan(160_000);
    const { workflow, probe } = probed(bomb);
    expect(refusal(workflow)).toBe(
      "the workflow's subgraphs expand to 320001 nodes; this deployment accepts at most 5000 (MAX_PROMPT_NODES)",
    );
    expect(probe.reads).toBe(0);
  });

  it('the probe does see building: a small version of the same workflow converts', () => {
    const { workflow, probe } = probed(subgraphBomb(3, 4));
    const prompt = convertWorkflow(workflow, catalog, MAX_NODES);
    expect(Object.keys(prompt)).toHaveLength(1 + 3 * 4);
    expect(prompt['4:4']!.inputs.model).toEqual(['4:3', 0]);
    expect(prompt['3:1']!.inputs.model).toEqual(['2:4', 0]);
    expect(probe.reads).toBeGreaterThan(0);
  });

  it('counts nested instances too: empty subgraphs nested 100 wide and 3 deep cannot fan out', () => {
    const empty = definition('empty', 0);
    const { workflow, probe } = probed(
      withInstances(100, 'c', [
        empty,
        definition('a', 100, 'empty'),
        definition('b', 100, 'a'),
        definition('c', 100, 'b'),
      ]),
    );
    expect(refusal(workflow)).toBe(
      "the workflow's subgraphs expand to 101010000 nodes; this deployment accepts at most 5000 (MAX_PROMPT_NODES)",
    );
    expect(probe.reads).toBe(0);
  });

  it(`refuses more links than ${LINKS_PER_NODE} per allowed node, naming the limit`, () => {
    const { workflow, probe } = probed(withInstances(10, 'dense', [definition('dense', 1, undefined, 5000)]));
    expect(refusal(workflow)).toBe(
      `the workflow's subgraphs expand to 50000 links; this deployment accepts at most ${LINKS_PER_NODE * MAX_NODES} (${LINKS_PER_NODE} per node of MAX_PROMPT_NODES)`,
    );
    expect(probe.reads).toBe(0);
  });

  it('refuses a subgraph that contains itself, directly or through others, naming the cycle', () => {
    const direct = probed(withInstances(1, 'loop', [definition('loop', 1, 'loop')]));
    expect(refusal(direct.workflow)).toBe('node 1: subgraph loop contains itself (loop → loop)');
    const indirect = probed(
      withInstances(2, 'a', [definition('a', 2, 'b'), definition('b', 1, 'c'), definition('c', 1, 'a')]),
    );
    expect(refusal(indirect.workflow)).toBe('node 1: subgraph a contains itself (a → b → c → a)');
    expect(direct.probe.reads + indirect.probe.reads).toBe(0);
  });

  it('refuses nesting deeper than 32 and more definitions than the limit', () => {
    const chain = Array.from({ length: 33 }, (_, i) =>
      definition(`d${i}`, 1, i < 32 ? `d${i + 1}` : undefined),
    );
    expect(refusal(withInstances(1, 'd0', chain))).toBe('node 1 nests subgraphs more than 32 deep');
    expect(() => convertWorkflow(withInstances(1, 'd1', chain.slice(1)), catalog, MAX_NODES)).not.toThrow();
    const many = Array.from({ length: MAX_SUBGRAPH_DEFINITIONS + 1 }, (_, i) => definition(`s${i}`, 1));
    expect(refusal(withInstances(1, 's0', many))).toBe(
      `the workflow defines ${MAX_SUBGRAPH_DEFINITIONS + 1} subgraphs; at most ${MAX_SUBGRAPH_DEFINITIONS} are accepted`,
    );
  });

  it('refuses a subgraph named like the primitives the expansion adds', () => {
    expect(refusal(withInstances(1, 'PrimitiveNode', [definition('PrimitiveNode', 1)]))).toBe(
      "a subgraph's id may not be PrimitiveNode (subgraph ids are UUIDs)",
    );
  });
});

describe('group node bombs (legacy `extra.groupNodes`) likewise', () => {
  /** `count` group nodes of one group of `size` chained LoRA loaders. */
  function groupBomb(count: number, size: number): UiWorkflow {
    const nodes = Array.from({ length: size }, (_, index) => ({
      index,
      id: index + 1,
      type: 'LoraLoaderModelOnly',
      inputs: [{ name: 'model', type: 'MODEL', link: null }],
      widgets_values: ['a.safetensors', 1],
    }));
    const links = nodes.map((_, index) => [index === 0 ? null : index - 1, 0, index, 0, 1, 'MODEL']);
    return {
      last_node_id: count,
      version: 0.4,
      nodes: Array.from({ length: count }, (_, i) => ({
        id: i + 1,
        type: 'workflow>bomb',
        inputs: [{ name: 'model', type: 'MODEL', link: null }],
      })),
      links: [],
      extra: { groupNodes: { bomb: { nodes, links, external: [[{ index: size - 1 }, 0, 'MODEL']] } } },
    };
  }

  it('refuses 800 group nodes of a 400-node group before building any', () => {
    const { workflow, probe } = probed(groupBomb(800, 400));
    expect(refusal(workflow)).toBe(
      "the workflow's group nodes expand to 320000 nodes; this deployment accepts at most 5000 (MAX_PROMPT_NODES)",
    );
    expect(probe.reads).toBe(0);
  });

  it('still expands a small one', () => {
    const { workflow, probe } = probed(groupBomb(2, 3));
    const prompt = convertWorkflow(workflow, catalog, MAX_NODES);
    expect(Object.keys(prompt).sort()).toEqual(['1:0', '1:1', '1:2', '2:0', '2:1', '2:2']);
    expect(prompt['1:2']!.inputs.model).toEqual(['1:1', 0]);
    expect(probe.reads).toBeGreaterThan(0);
  });
});
