import { WorkflowConversionError } from './conversion-error';
import {
  checkExpandedEntries,
  type ExpansionLimits,
  LINKS_PER_NODE,
  MAX_NODE_SLOTS,
  MAX_SUBGRAPH_DEFINITIONS,
} from './expansion-limits';
import { groupName } from './group-node-name';
import type { SubgraphDefinition, UiNode, UiWorkflow } from './ui-workflow';

const MUTED = 2;
const BYPASSED = 4;

/**
 * What a node, a definition or the workflow stands for once expanded. `nodes` and `links` never
 * exceed what the expansions themselves count (instances are not counted; with group nodes, only
 * their definitions' links), so when they are over the limits, the expansions refuse too.
 */
interface Size {
  nodes: number;
  links: number;
  entries: number;
  instances: number;
  /** A subgraph that contains itself was met (the subgraph expansion refuses it). */
  cyclic: boolean;
}

const leaf = (entries: number): Size => ({ nodes: 1, links: 0, entries, instances: 0, cyclic: false });
const empty = (): Size => ({ nodes: 0, links: 0, entries: 0, instances: 0, cyclic: false });
const add = (to: Size, size: Size) => {
  to.nodes += size.nodes;
  to.links += size.links;
  to.entries += size.entries;
  to.instances += size.instances;
  to.cyclic ||= size.cyclic;
};

const nodeLabel = (node: UiNode, within: string | undefined) =>
  `node ${node.id} (${node.type})${within === undefined ? '' : ` in ${within}`}`;

/**
 * One node's own entries (fields, inputs, widget values), after checking that its inputs are a
 * list of inputs and that neither list is longer than MAX_NODE_SLOTS. Linear in the node's size.
 */
function ownEntries(node: UiNode, within: string | undefined, topId: string): number {
  const { inputs, widgets_values: values } = node;
  if (inputs != null && !Array.isArray(inputs))
    throw new WorkflowConversionError(`${nodeLabel(node, within)}: its inputs are not a list`, topId);
  const inputCount = inputs?.length ?? 0;
  if (inputCount > MAX_NODE_SLOTS)
    throw new WorkflowConversionError(
      `${nodeLabel(node, within)} has ${inputCount} inputs; at most ${MAX_NODE_SLOTS} are accepted per node`,
      topId,
    );
  inputs?.forEach((input, slot) => {
    if (typeof input !== 'object' || input === null)
      throw new WorkflowConversionError(`${nodeLabel(node, within)}: inputs[${slot}] is not an input`, topId);
  });
  const valueCount = Array.isArray(values)
    ? values.length
    : typeof values === 'object' && values !== null
      ? Object.keys(values).length
      : 0;
  if (valueCount > MAX_NODE_SLOTS)
    throw new WorkflowConversionError(
      `${nodeLabel(node, within)} has ${valueCount} widget values; at most ${MAX_NODE_SLOTS} are accepted per node`,
      topId,
    );
  return Object.keys(node).length + inputCount + valueCount;
}

interface GroupDefinitionShape {
  nodes?: unknown;
  links?: unknown;
  external?: unknown;
}

interface Walk {
  /** Count group node instances as what they expand to (the group expansion runs second). */
  groups: boolean;
  /** Read each node's inputs and widget values; without, only what the expansions measure. */
  entries: boolean;
}

/** The workflow measured as `walk` says, each definition once: linear in the workflow's size. */
function measure(workflow: UiWorkflow, walk: Walk): Size {
  const subgraphs = workflow.definitions?.subgraphs;
  const definitions = new Map<string, SubgraphDefinition>();
  // Too many, or malformed, definitions are the subgraph expansion's to refuse.
  if (Array.isArray(subgraphs) && subgraphs.length <= MAX_SUBGRAPH_DEFINITIONS)
    for (const graph of subgraphs)
      if (typeof graph === 'object' && graph !== null) definitions.set(graph.id, graph);
  const groups = (workflow.extra?.groupNodes ?? {}) as Record<string, GroupDefinitionShape | null>;
  const known = new Map<string, Size>();
  const measuring = new Set<string>();

  // Group node definitions' nodes have no id of their own (`index` gives them one), so no `needsId`.
  const checkedNode = (node: unknown, index: number, within: string, topId: string, needsId = true) => {
    const candidate = node as UiNode | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.type !== 'string' ||
      (needsId && candidate.id === undefined)
    )
      throw new WorkflowConversionError(
        `${within}: nodes[${index}] is not a node (it needs ${needsId ? 'an "id" and ' : ''}a "type")`,
        topId,
      );
    return candidate;
  };

  const subgraphSize = (definition: SubgraphDefinition, topId: string): Size => {
    const key = `subgraph ${definition.id}`;
    const size = known.get(key);
    if (size) return size;
    if (measuring.has(definition.id)) return { ...empty(), cyclic: true };
    if (!Array.isArray(definition.nodes)) return empty();
    measuring.add(definition.id);
    const inner = listSize(definition.nodes, `subgraph ${definition.name ?? definition.id}`, topId);
    measuring.delete(definition.id);
    // Once built, the subgraphs' links are what the group expansion counts, fewer if some are dropped.
    if (!walk.groups && Array.isArray(definition.links)) inner.links += definition.links.length;
    known.set(key, inner);
    return inner;
  };

  const groupSize = (name: string, definition: GroupDefinitionShape, node: UiNode, topId: string) => {
    const key = `group ${name}`;
    const size = known.get(key);
    if (size) return size;
    const { external } = definition;
    if (walk.entries && Array.isArray(external) && external.length > MAX_NODE_SLOTS)
      throw new WorkflowConversionError(
        `${nodeLabel(node, undefined)}: group node ${name} has ${external.length} outputs (external entries); at most ${MAX_NODE_SLOTS} are accepted per group node`,
        topId,
      );
    // Group nodes do not nest: their inner nodes are built as they are.
    const inner = empty();
    if (Array.isArray(definition.nodes))
      definition.nodes.forEach((each, index) => {
        const innerNode = checkedNode(each, index, `group node ${name}`, topId, false);
        add(inner, leaf(walk.entries ? ownEntries(innerNode, `group node ${name}`, topId) : 0));
      });
    if (Array.isArray(definition.links)) inner.links += definition.links.length;
    known.set(key, inner);
    return inner;
  };

  // An instance stands for what it expands to, plus its own entries (its inputs and values are read).
  const nodeSize = (node: UiNode, within: string | undefined, topId: string): Size => {
    const own = walk.entries ? ownEntries(node, within, topId) : 0;
    const subgraph = definitions.get(node.type);
    if (subgraph) {
      if (node.mode === MUTED || node.mode === BYPASSED) return leaf(own);
      const inner = subgraphSize(subgraph, topId);
      // The subgraph expansion counts an instance inside a definition as a node too; once built, it is gone.
      const counted = within !== undefined && !walk.groups ? 1 : 0;
      return {
        ...inner,
        nodes: counted + inner.nodes,
        entries: own + inner.entries,
        instances: 1 + inner.instances,
      };
    }
    const name = groupName(node.type);
    const group = name !== undefined && Object.hasOwn(groups, name) ? groups[name] : undefined;
    if (walk.groups && name !== undefined && typeof group === 'object' && group !== null) {
      const inner = groupSize(name, group, node, topId);
      return { ...inner, entries: own + inner.entries, instances: 1 };
    }
    return leaf(own);
  };

  /** `topId`: the workflow's node whose instance led here, which errors name; else each node's own. */
  function listSize(nodes: unknown[], within: string | undefined, topId?: string): Size {
    const size = empty();
    nodes.forEach((each, index) => {
      const place = topId ?? String((each as UiNode | null)?.id);
      add(size, nodeSize(checkedNode(each, index, within ?? 'the workflow', place), within, place));
    });
    return size;
  }

  return listSize(workflow.nodes, undefined);
}

/**
 * Refuses, before anything is built, a node over MAX_NODE_SLOTS inputs or widget values, a group
 * node definition over MAX_NODE_SLOTS outputs, and expansions past ENTRIES_PER_NODE × `maxNodes`
 * entries (fields, inputs and widget values: what every copy of a definition's node copies or
 * reads). In the expansions' order (subgraphs are built before group nodes are measured), and
 * after them: what they would refuse themselves (too many nodes or links, a subgraph containing
 * itself) is left to them, so their messages stand and nothing of a definition is read first.
 */
export function checkNodeEntries(workflow: UiWorkflow, limits: ExpansionLimits): void {
  const maxLinks = LINKS_PER_NODE * limits.maxNodes;
  const refusedByExpansion = (size: Size) =>
    size.nodes > limits.maxNodes || size.links > maxLinks || size.cyclic;
  const subgraphs = measure(workflow, { groups: false, entries: false });
  if (subgraphs.instances > 0 && refusedByExpansion(subgraphs)) return;
  const subgraphEntries = measure(workflow, { groups: false, entries: true });
  if (subgraphs.instances > 0) checkExpandedEntries('subgraphs', subgraphEntries.entries, limits);
  const all = measure(workflow, { groups: true, entries: false });
  if (all.instances === subgraphs.instances || refusedByExpansion(all)) return;
  const what = subgraphs.instances > 0 ? 'subgraphs and group nodes' : 'group nodes';
  checkExpandedEntries(what, measure(workflow, { groups: true, entries: true }).entries, limits);
}
