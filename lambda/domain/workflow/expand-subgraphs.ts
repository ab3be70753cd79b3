import { WorkflowConversionError } from './conversion-error';
import {
  type LinkParts,
  linkParts,
  type SubgraphDefinition,
  toUiLink,
  type UiNode,
  type UiWorkflow,
} from './ui-workflow';

/** Inside a subgraph definition, links from the instance's inputs start here and its outputs end here. */
const SUBGRAPH_INPUT_NODE = '-10';
const SUBGRAPH_OUTPUT_NODE = '-20';
const MUTED = 2;
const BYPASSED = 4;
/** Subgraphs nest; a definition that (indirectly) contains itself would expand forever. */
const MAX_NESTING = 32;

interface Flat {
  nodes: UiNode[];
  links: Map<number, LinkParts>;
  nextLinkId: number;
}

/**
 * The subgraph inputs that stand for widgets inside (every inner target is a widget input), in slot
 * order: an instance saved by frontends before promoted widgets keeps their values, positionally, in
 * its own widgets_values.
 */
function widgetInputSlots(definition: SubgraphDefinition, innerLinks: LinkParts[]): number[] {
  const innerNodes = new Map(definition.nodes.map((node) => [String(node.id), node]));
  return (definition.inputs ?? []).flatMap((_, slot) => {
    const targets = innerLinks.filter(
      (link) => link.originId === SUBGRAPH_INPUT_NODE && link.originSlot === slot,
    );
    const allWidgets =
      targets.length > 0 &&
      targets.every((link) => innerNodes.get(link.targetId)?.inputs?.[link.targetSlot]?.widget !== undefined);
    return allWidgets ? [slot] : [];
  });
}

/** One instance replaced by its definition's nodes, ids `<instanceId>:<innerId>`, links rewired. */
function expandInstance(flat: Flat, instance: UiNode, definition: SubgraphDefinition): UiNode[] {
  const prefix = String(instance.id);
  const innerLinks = (definition.links ?? []).map(linkParts);
  const instanceValues = Array.isArray(instance.widgets_values) ? instance.widgets_values : [];
  const widgetSlots = instanceValues.length > 0 ? widgetInputSlots(definition, innerLinks) : [];
  if (instanceValues.length > 0 && instanceValues.length !== widgetSlots.length) {
    throw new WorkflowConversionError(
      `node ${prefix} (subgraph ${definition.name ?? definition.id}) has ${instanceValues.length} widget values for ${widgetSlots.length} widget inputs; export the workflow in API format`,
      prefix,
    );
  }
  const outerLinkInto = (slot: number) => {
    const name = definition.inputs?.[slot]?.name;
    const input = (instance.inputs ?? []).find((candidate) => candidate.name === name);
    return input?.link == null ? undefined : flat.links.get(input.link);
  };
  const newLink = (link: Omit<LinkParts, 'id'> & { id?: number }) => {
    const id = flat.nextLinkId++;
    flat.links.set(id, { ...link, id });
    return id;
  };

  const inner = definition.nodes.map(
    (node): UiNode => ({
      ...node,
      id: `${prefix}:${node.id}`,
      // A muted or bypassed instance mutes or bypasses everything in it.
      mode: instance.mode === MUTED || instance.mode === BYPASSED ? instance.mode : node.mode,
      inputs: (node.inputs ?? []).map((input) => ({ ...input, link: null })),
    }),
  );
  const byInnerId = new Map(definition.nodes.map((node, i) => [String(node.id), inner[i]!]));
  const extra: UiNode[] = [];
  const outputs = new Map<number, { originId: string; originSlot: number } | undefined>();

  for (const link of innerLinks) {
    if (link.targetId === SUBGRAPH_OUTPUT_NODE) {
      const origin =
        link.originId === SUBGRAPH_INPUT_NODE
          ? outerLinkInto(link.originSlot)
          : { originId: `${prefix}:${link.originId}`, originSlot: link.originSlot };
      outputs.set(link.targetSlot, origin && { originId: origin.originId, originSlot: origin.originSlot });
      continue;
    }
    const targetInput = byInnerId.get(link.targetId)?.inputs?.[link.targetSlot];
    if (!targetInput) continue;
    const targetId = `${prefix}:${link.targetId}`;
    if (link.originId !== SUBGRAPH_INPUT_NODE) {
      targetInput.link = newLink({ ...link, originId: `${prefix}:${link.originId}`, targetId });
      continue;
    }
    const outer = outerLinkInto(link.originSlot);
    const valueIndex = widgetSlots.indexOf(link.originSlot);
    if (outer) {
      targetInput.link = newLink({ ...outer, targetId, targetSlot: link.targetSlot });
    } else if (valueIndex >= 0) {
      // The instance's own widget value, fed in as a primitive would be.
      const primitiveId = `${prefix}:input:${link.originSlot}`;
      if (!extra.some((node) => node.id === primitiveId)) {
        extra.push({
          id: primitiveId,
          type: 'PrimitiveNode',
          mode: 0,
          widgets_values: [instanceValues[valueIndex]],
        });
      }
      targetInput.link = newLink({ ...link, originId: primitiveId, originSlot: 0, targetId });
    }
    // Otherwise nothing feeds it: a widget keeps its own value, a socket stays unconnected.
  }

  // Consumers of the instance's outputs now read the inner socket behind each one.
  for (const [id, link] of flat.links) {
    if (link.originId !== prefix) continue;
    const origin = outputs.get(link.originSlot);
    if (origin) flat.links.set(id, { ...link, ...origin });
    else flat.links.delete(id);
  }
  return [...inner, ...extra];
}

/**
 * Subgraph instances (nodes whose type is the id of a `definitions.subgraphs` entry) become their
 * inner nodes with ids `<instanceId>:<innerId>` (nested: `a:b:c`), the ids the editor queues: inputs
 * wired from outside, or the instance's widget values, or the inner widgets' own; outputs read from
 * the inner sockets. Muted and bypassed instances stay whole, so the converter drops or bypasses them
 * like any node.
 */
export function expandSubgraphs(workflow: UiWorkflow, maxNodes = Number.POSITIVE_INFINITY): UiWorkflow {
  const definitions = new Map((workflow.definitions?.subgraphs ?? []).map((graph) => [graph.id, graph]));
  const isInstance = (node: UiNode) =>
    definitions.has(node.type) && node.mode !== MUTED && node.mode !== BYPASSED;
  if (!workflow.nodes.some(isInstance)) return workflow;

  const links = new Map(workflow.links.map(linkParts).map((link) => [link.id, link]));
  const flat: Flat = {
    nodes: workflow.nodes,
    links,
    nextLinkId: [...links.keys()].reduce((max, id) => Math.max(max, id), 0) + 1,
  };
  for (let depth = 0; flat.nodes.some(isInstance); depth++) {
    if (depth === MAX_NESTING) {
      const instance = flat.nodes.find(isInstance)!;
      throw new WorkflowConversionError(
        `node ${instance.id} nests subgraphs more than ${MAX_NESTING} deep (a subgraph that contains itself?)`,
        String(instance.id),
      );
    }
    flat.nodes = flat.nodes.flatMap((node) =>
      isInstance(node) ? expandInstance(flat, node, definitions.get(node.type)!) : [node],
    );
    // Nesting multiplies: check after every level, before the next one is built.
    if (flat.nodes.length > maxNodes) {
      throw new WorkflowConversionError(
        `the workflow's subgraphs expand to ${flat.nodes.length} nodes; this deployment accepts at most ${maxNodes}`,
      );
    }
  }
  return { ...workflow, nodes: flat.nodes, links: [...flat.links.values()].map(toUiLink) };
}
