import { describe, expect, it } from 'vitest';
import { convertWorkflow, WorkflowConversionError } from '../../../lambda/domain/workflow/convert-workflow';
import { ENTRIES_PER_NODE, MAX_NODE_SLOTS } from '../../../lambda/domain/workflow/expansion-limits';
import type { UiInput, UiLink, UiNode, UiWorkflow } from '../../../lambda/domain/workflow/ui-workflow';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { countingInputs } from './counting-inputs';

/**
 * Issue 25, second round: shapes that are small as sent but made the conversion repeat work (a
 * reroute chain walked once per input that reads it, every group node output copied for every
 * instance, a definition's node copied with all its entries into every instance). Each test counts
 * the work done (reads of what the converter walks) rather than timing it.
 */

const catalog = corpusCatalog();
const MAX_NODES = 5000;
const MAX_ENTRIES = ENTRIES_PER_NODE * MAX_NODES;

const refusal = (workflow: UiWorkflow) => {
  try {
    convertWorkflow(workflow, catalog, MAX_NODES);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowConversionError);
    return (error as Error).message;
  }
  throw new Error('the workflow was converted');
};

/** The list with each read of an element counted in `probe`. */
function countingElements<T>(list: T[], probe: { reads: number }): T[] {
  return new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) probe.reads++;
      return Reflect.get(target, key, receiver);
    },
  });
}

const emptyImage = (id: number | string): UiNode => ({
  id,
  type: 'EmptyImage',
  mode: 0,
  inputs: [],
  widgets_values: [64, 64, 1, 0],
});

/**
 * The attacker's reroute bomb: EmptyImage (node 1) → `chain` Reroutes (nodes 2…chain+1) → one
 * PreviewAny whose inputs list names the chain's last link `fan` times. Reroute reads are counted.
 */
function rerouteFan(chain: number, fan: number) {
  const probe = { reads: 0 };
  const nodes: UiNode[] = [emptyImage(1)];
  const links: UiLink[] = [];
  for (let id = 2; id <= chain + 1; id++) {
    nodes.push(
      countingInputs(
        { id, type: 'Reroute', mode: 0, inputs: [{ name: '', type: '*', link: id - 1 }] },
        probe,
      ),
    );
    links.push([id - 1, id - 1, 0, id, 0, '*']);
  }
  const consumer = chain + 2;
  links.push([chain + 1, chain + 1, 0, consumer, 0, '*']);
  const input: UiInput = { name: 'source', type: '*', link: chain + 1 };
  nodes.push({ id: consumer, type: 'PreviewAny', mode: 0, inputs: Array.from({ length: fan }, () => input) });
  return { workflow: { last_node_id: consumer, version: 0.4, nodes, links } as UiWorkflow, probe, consumer };
}

describe('a reroute chain read many times over is walked once', () => {
  const CHAIN = 4990;

  it(`refuses a node listing more than ${MAX_NODE_SLOTS} inputs (the chain fanned out ${MAX_NODE_SLOTS + 1} times), before walking the chain`, () => {
    const { workflow, probe, consumer } = rerouteFan(CHAIN, MAX_NODE_SLOTS + 1);
    expect(refusal(workflow)).toBe(
      `node ${consumer} (PreviewAny) has ${MAX_NODE_SLOTS + 1} inputs; at most ${MAX_NODE_SLOTS} are accepted per node`,
    );
    // Measuring reads each node once; walking the chain for each input would read it 1001 times.
    expect(probe.reads).toBeLessThanOrEqual(CHAIN);
  });

  it(`converts the chain read by ${MAX_NODE_SLOTS} inputs, each reroute looked through once`, () => {
    const { workflow, probe, consumer } = rerouteFan(CHAIN, MAX_NODE_SLOTS);
    const prompt = convertWorkflow(workflow, catalog, MAX_NODES);
    expect(Object.keys(prompt).sort()).toEqual(['1', String(consumer)]);
    expect(prompt[consumer]!.inputs.source).toEqual(['1', 0]);
    // Once measured, once resolved: not once per input (4,990,000 reads).
    expect(probe.reads).toBeLessThanOrEqual(2 * CHAIN);
  });

  it('looks through a bypassed node once for all the links that read it', () => {
    const probe = { reads: 0 };
    const inputs: UiInput[] = Array.from({ length: MAX_NODE_SLOTS - 1 }, (_, slot) => ({
      name: `latent${slot}`,
      type: 'LATENT',
      link: null,
    }));
    inputs.push({ name: 'image', type: 'IMAGE', link: 1 });
    const readers = MAX_NODE_SLOTS;
    const links: UiLink[] = [[1, 1, 0, 2, MAX_NODE_SLOTS - 1, 'IMAGE']];
    for (let i = 0; i < readers; i++) links.push([i + 2, 2, 0, 3, i, 'IMAGE']);
    const workflow: UiWorkflow = {
      last_node_id: 3,
      version: 0.4,
      nodes: [
        emptyImage(1),
        { id: 2, type: 'ImageInvert', mode: 4, inputs: countingElements(inputs, probe) },
        {
          id: 3,
          type: 'PreviewAny',
          mode: 0,
          inputs: Array.from({ length: readers }, (_, i) => ({ name: 'source', type: '*', link: i + 2 })),
        },
      ],
      links,
    };
    expect(convertWorkflow(workflow, catalog, MAX_NODES)['3']!.inputs.source).toEqual(['1', 0]);
    // Not a scan of the bypassed node's 1000 inputs per reading link (about 1,000,000 reads).
    expect(probe.reads).toBeLessThanOrEqual(3 * MAX_NODE_SLOTS + readers);
  });
});

/** `count` group nodes of one definition (an EmptyImage) listing `outputs` outputs, each read by a PreviewAny. */
function groupFan(count: number, outputs: number) {
  const probe = { reads: 0 };
  const external = countingElements(
    Array.from({ length: outputs }, (): [{ index: number }, number, string] => [{ index: 0 }, 0, 'IMAGE']),
    probe,
  );
  const nodes: UiNode[] = [];
  const links: UiLink[] = [];
  for (let i = 1; i <= count; i++) {
    nodes.push({ id: i, type: 'workflow>g', mode: 0, widgets_values: [64, 64, 1, 0] });
    nodes.push({
      id: 10_000 + i,
      type: 'PreviewAny',
      mode: 0,
      inputs: [{ name: 'source', type: '*', link: i }],
    });
    links.push([i, i, outputs - 1, 10_000 + i, 0, 'IMAGE']);
  }
  const group = {
    nodes: [{ index: 0, type: 'EmptyImage', widgets_values: [64, 64, 1, 0] }],
    links: [],
    external,
  };
  const workflow: UiWorkflow = {
    last_node_id: 10_000 + count,
    version: 0.4,
    nodes,
    links,
    extra: { groupNodes: { g: group } },
  };
  return { workflow, probe };
}

describe("group nodes' outputs (`external`) are looked up, not copied per instance", () => {
  // With a consumer each, as many as MAX_PROMPT_NODES allows.
  const GROUPS = 2499;

  it(`refuses a group node definition listing more than ${MAX_NODE_SLOTS} outputs, before expanding it`, () => {
    const { workflow, probe } = groupFan(GROUPS, MAX_NODE_SLOTS + 1);
    expect(refusal(workflow)).toBe(
      `node 1 (workflow>g): group node g has ${MAX_NODE_SLOTS + 1} outputs (external entries); at most ${MAX_NODE_SLOTS} are accepted per group node`,
    );
    expect(probe.reads).toBe(0);
  });

  it(`converts ${GROUPS} group nodes of a definition listing ${MAX_NODE_SLOTS} outputs, reading one output per consumer`, () => {
    const { workflow, probe } = groupFan(GROUPS, MAX_NODE_SLOTS);
    const prompt = convertWorkflow(workflow, catalog, MAX_NODES);
    expect(prompt['10001']!.inputs.source).toEqual(['1:0', 0]);
    expect(prompt[10_000 + GROUPS]!.inputs.source).toEqual([`${GROUPS}:0`, 0]);
    expect(prompt['1:0']!.class_type).toBe('EmptyImage');
    // One lookup per consuming link, not every output of every instance (2,499,000 reads).
    expect(probe.reads).toBeLessThanOrEqual(GROUPS);
  });
});

/**
 * One node of `kind`'s weight: 1000 inputs, 1000 dict-style widget values (on a custom node the
 * catalog lacks, whose scalar values are all kept) or 1000 extra fields.
 */
function heavyNode(kind: string, probe: { reads: number }): UiNode {
  const node: Record<string, unknown> = { id: 1, index: 0, type: 'PreviewAny', mode: 0, inputs: [] };
  if (kind === 'widget values') node.type = 'SomeCustomNode';
  if (kind === 'inputs')
    node.inputs = Array.from({ length: 1000 }, (_, i) => ({ name: `in${i}`, type: '*', link: null }));
  if (kind === 'widget values')
    node.widgets_values = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`w${i}`, i]));
  if (kind === 'fields') for (let i = 0; i < 1000; i++) node[`field${i}`] = i;
  return countingInputs(node as unknown as UiNode, probe);
}

const instances = (count: number, type: string): UiNode[] =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, type, mode: 0 }));

describe("a definition's node is not copied into every instance past the entries limit", () => {
  // As many instances of a one-node definition as MAX_PROMPT_NODES allows.
  const INSTANCES = MAX_NODES - 1;
  const entriesRefusal = (what: string) =>
    new RegExp(
      `^the workflow's ${what} expand to (\\d+) entries \\(node fields, inputs and widget values\\); this deployment accepts at most ${MAX_ENTRIES} \\(${ENTRIES_PER_NODE} per node of MAX_PROMPT_NODES\\)$`,
    );

  it.each(['inputs', 'widget values', 'fields'])(
    `refuses ${INSTANCES} instances of a subgraph whose one node has 1000 %s, naming the limit; copies nothing`,
    (kind) => {
      const probe = { reads: 0 };
      const definition = {
        id: 's',
        name: 's',
        inputs: [],
        outputs: [],
        nodes: [heavyNode(kind, probe)],
        links: [],
      };
      const message = refusal({
        last_node_id: INSTANCES,
        version: 0.4,
        nodes: instances(INSTANCES, 's'),
        links: [],
        definitions: { subgraphs: [definition] },
      });
      const entries = Number(entriesRefusal('subgraphs').exec(message)?.[1]);
      expect(entries).toBeGreaterThan(1000 * INSTANCES);
      // Read once, when measured; each instance built would read it again.
      expect(probe.reads).toBeLessThanOrEqual(1);
    },
  );

  it.each(['inputs', 'widget values', 'fields'])(
    `refuses ${INSTANCES} group nodes whose one inner node has 1000 %s, likewise`,
    (kind) => {
      const probe = { reads: 0 };
      const group = { nodes: [heavyNode(kind, probe)], links: [], external: [] };
      const message = refusal({
        last_node_id: INSTANCES,
        version: 0.4,
        nodes: instances(INSTANCES, 'workflow>g'),
        links: [],
        extra: { groupNodes: { g: group } },
      });
      const entries = Number(entriesRefusal('group nodes').exec(message)?.[1]);
      expect(entries).toBeGreaterThan(1000 * INSTANCES);
      expect(probe.reads).toBeLessThanOrEqual(1);
    },
  );

  it(`refuses a node with more than ${MAX_NODE_SLOTS} widget values, and inputs that are not a list`, () => {
    const values = Object.fromEntries(Array.from({ length: MAX_NODE_SLOTS + 1 }, (_, i) => [`w${i}`, i]));
    const workflow = (node: Partial<UiNode>): UiWorkflow => ({
      last_node_id: 7,
      version: 0.4,
      nodes: [{ id: 7, type: 'PreviewAny', mode: 0, ...node }],
      links: [],
    });
    expect(refusal(workflow({ widgets_values: values }))).toBe(
      `node 7 (PreviewAny) has ${MAX_NODE_SLOTS + 1} widget values; at most ${MAX_NODE_SLOTS} are accepted per node`,
    );
    expect(refusal(workflow({ inputs: {} as UiInput[] }))).toBe(
      'node 7 (PreviewAny): its inputs are not a list',
    );
  });
});
