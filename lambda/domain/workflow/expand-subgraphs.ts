import { WorkflowConversionError } from './conversion-error';
import { checkExpandedSize, type ExpansionLimits, MAX_SUBGRAPH_DEFINITIONS } from './expansion-limits';
import {
  type LinkParts,
  linkParts,
  type SubgraphDefinition,
  toUiLink,
  type UiInput,
  type UiNode,
  type UiWorkflow,
} from './ui-workflow';

/** Inside a subgraph definition, links from the instance's inputs start here and its outputs end here. */
const SUBGRAPH_INPUT_NODE = '-10';
const SUBGRAPH_OUTPUT_NODE = '-20';
const MUTED = 2;
const BYPASSED = 4;
/** Subgraphs nest; deeper than this is refused (real workflows nest two or three levels). */
const MAX_NESTING = 32;
const PRIMITIVE = 'PrimitiveNode';

interface Flat {
  nodes: UiNode[];
  links: Map<number, LinkParts>;
  /** Link ids by origin node: an instance's consumers are found without scanning every link. */
  byOrigin: Map<string, Set<number>>;
  nextLinkId: number;
}

function setLink(flat: Flat, link: LinkParts): void {
  const previous = flat.links.get(link.id);
  if (previous && previous.originId !== link.originId) flat.byOrigin.get(previous.originId)?.delete(link.id);
  flat.links.set(link.id, link);
  let ids = flat.byOrigin.get(link.originId);
  if (!ids) {
    ids = new Set();
    flat.byOrigin.set(link.originId, ids);
  }
  ids.add(link.id);
}

function deleteLink(flat: Flat, id: number): void {
  const link = flat.links.get(id);
  if (!link) return;
  flat.byOrigin.get(link.originId)?.delete(id);
  flat.links.delete(id);
}

/** What every instance of one definition shares, worked out once. */
interface Prepared {
  innerLinks: LinkParts[];
  /** The widget input slots (see widgetInputSlots), and each one's index among them. */
  widgetSlots: Map<number, number>;
}

/**
 * The subgraph inputs that stand for widgets inside (every inner target is a widget input), in slot
 * order: an instance saved by frontends before promoted widgets keeps their values, positionally, in
 * its own widgets_values.
 */
function widgetInputSlots(definition: SubgraphDefinition, innerLinks: LinkParts[]): number[] {
  const innerNodes = new Map(definition.nodes.map((node) => [String(node.id), node]));
  const allWidgets = new Map<number, boolean>();
  for (const link of innerLinks) {
    if (link.originId !== SUBGRAPH_INPUT_NODE) continue;
    const widget = innerNodes.get(link.targetId)?.inputs?.[link.targetSlot]?.widget !== undefined;
    allWidgets.set(link.originSlot, (allWidgets.get(link.originSlot) ?? true) && widget);
  }
  return (definition.inputs ?? []).flatMap((_, slot) => (allWidgets.get(slot) ? [slot] : []));
}

function prepare(definition: SubgraphDefinition): Prepared {
  const innerLinks = (definition.links ?? []).map(linkParts);
  const slots = widgetInputSlots(definition, innerLinks);
  return { innerLinks, widgetSlots: new Map(slots.map((slot, index) => [slot, index])) };
}

/** One instance replaced by its definition's nodes, ids `<instanceId>:<innerId>`, links rewired. */
function expandInstance(
  flat: Flat,
  instance: UiNode,
  definition: SubgraphDefinition,
  { innerLinks, widgetSlots }: Prepared,
): UiNode[] {
  const prefix = String(instance.id);
  const instanceValues = Array.isArray(instance.widgets_values) ? instance.widgets_values : [];
  if (instanceValues.length > 0 && instanceValues.length !== widgetSlots.size) {
    throw new WorkflowConversionError(
      `node ${prefix} (subgraph ${definition.name ?? definition.id}) has ${instanceValues.length} widget values for ${widgetSlots.size} widget inputs; export the workflow in API format`,
      prefix,
    );
  }
  const instanceInputs = new Map<string, UiInput>();
  for (const input of instance.inputs ?? []) {
    if (!instanceInputs.has(input.name)) instanceInputs.set(input.name, input);
  }
  const outerLinkInto = (slot: number) => {
    const name = definition.inputs?.[slot]?.name;
    const input = name === undefined ? undefined : instanceInputs.get(name);
    return input?.link == null ? undefined : flat.links.get(input.link);
  };
  const newLink = (link: Omit<LinkParts, 'id'> & { id?: number }) => {
    const id = flat.nextLinkId++;
    setLink(flat, { ...link, id });
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
  const primitives = new Set<string>();
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
    const valueIndex = instanceValues.length > 0 ? widgetSlots.get(link.originSlot) : undefined;
    if (outer) {
      targetInput.link = newLink({ ...outer, targetId, targetSlot: link.targetSlot });
    } else if (valueIndex !== undefined) {
      // The instance's own widget value, fed in as a primitive would be.
      const primitiveId = `${prefix}:input:${link.originSlot}`;
      if (!primitives.has(primitiveId)) {
        primitives.add(primitiveId);
        extra.push({
          id: primitiveId,
          type: PRIMITIVE,
          mode: 0,
          widgets_values: [instanceValues[valueIndex]],
        });
      }
      targetInput.link = newLink({ ...link, originId: primitiveId, originSlot: 0, targetId });
    }
    // Otherwise nothing feeds it: a widget keeps its own value, a socket stays unconnected.
  }

  // Consumers of the instance's outputs now read the inner socket behind each one.
  for (const id of [...(flat.byOrigin.get(prefix) ?? [])]) {
    const link = flat.links.get(id)!;
    const origin = outputs.get(link.originSlot);
    if (origin) setLink(flat, { ...link, ...origin });
    else deleteLink(flat, id);
  }
  return [...inner, ...extra];
}

/**
 * What expanding the workflow would build, from the definitions alone (each measured once): every
 * node it creates, nested instances included, and every link. Refuses a definition that contains
 * itself, nesting past MAX_NESTING and sizes past the limits, before anything is built.
 */
function measure(
  workflow: UiWorkflow,
  definitions: Map<string, SubgraphDefinition>,
  isInstance: (node: UiNode) => boolean,
  limits: ExpansionLimits,
): void {
  const sizes = new Map<string, { nodes: number; links: number }>();
  const path: string[] = [];
  const label = (definition: SubgraphDefinition) => definition.name ?? definition.id;

  const sizeOf = (definition: SubgraphDefinition, topId: string): { nodes: number; links: number } => {
    const known = sizes.get(definition.id);
    if (known) return known;
    const seen = path.indexOf(definition.id);
    if (seen >= 0) {
      const cycle = [...path.slice(seen), definition.id].map((id) => label(definitions.get(id)!));
      throw new WorkflowConversionError(
        `node ${topId}: subgraph ${label(definition)} contains itself (${cycle.join(' → ')})`,
        topId,
      );
    }
    if (path.length === MAX_NESTING)
      throw new WorkflowConversionError(`node ${topId} nests subgraphs more than ${MAX_NESTING} deep`, topId);
    if (!Array.isArray(definition.nodes))
      throw new WorkflowConversionError(`subgraph ${label(definition)} has no nodes list`, topId);
    path.push(definition.id);
    let nodes = 0;
    let links = Array.isArray(definition.links) ? definition.links.length : 0;
    for (const node of definition.nodes) {
      nodes += 1;
      if (!isInstance(node)) continue;
      const inner = instanceSize(node, topId);
      nodes += inner.nodes;
      links += inner.links;
    }
    path.pop();
    const size = { nodes, links };
    sizes.set(definition.id, size);
    return size;
  };
  const instanceSize = (instance: UiNode, topId: string) => {
    const definition = definitions.get(instance.type)!;
    const size = sizeOf(definition, topId);
    // At most one primitive per input, for the widget values an older frontend kept on the instance.
    const primitives =
      Array.isArray(instance.widgets_values) && instance.widgets_values.length > 0
        ? (definition.inputs?.length ?? 0)
        : 0;
    return { nodes: size.nodes + primitives, links: size.links };
  };

  let nodes = 0;
  let links = workflow.links?.length ?? 0;
  for (const node of workflow.nodes) {
    if (!isInstance(node)) {
      nodes += 1;
      continue;
    }
    const size = instanceSize(node, String(node.id));
    nodes += size.nodes;
    links += size.links;
  }
  checkExpandedSize('subgraphs', nodes, links, limits);
}

/**
 * Subgraph instances (nodes whose type is the id of a `definitions.subgraphs` entry) become their
 * inner nodes with ids `<instanceId>:<innerId>` (nested: `a:b:c`), the ids the editor queues: inputs
 * wired from outside, or the instance's widget values, or the inner widgets' own; outputs read from
 * the inner sockets. Muted and bypassed instances stay whole, so the converter drops or bypasses them
 * like any node. What the expansion would build is measured first: past `maxNodes` nodes (nested
 * instances included) or LINKS_PER_NODE × `maxNodes` links, it is refused before anything is built.
 */
export function expandSubgraphs(workflow: UiWorkflow, maxNodes = Number.POSITIVE_INFINITY): UiWorkflow {
  const subgraphs = workflow.definitions?.subgraphs ?? [];
  if (!Array.isArray(subgraphs) || subgraphs.some((graph) => typeof graph !== 'object' || graph === null))
    throw new WorkflowConversionError('definitions.subgraphs is not a list of subgraphs');
  if (subgraphs.length > MAX_SUBGRAPH_DEFINITIONS)
    throw new WorkflowConversionError(
      `the workflow defines ${subgraphs.length} subgraphs; at most ${MAX_SUBGRAPH_DEFINITIONS} are accepted`,
    );
  const definitions = new Map(subgraphs.map((graph) => [graph.id, graph]));
  // The expansion adds nodes of this type itself; as a subgraph id they would expand unmeasured.
  if (definitions.has(PRIMITIVE))
    throw new WorkflowConversionError(`a subgraph's id may not be ${PRIMITIVE} (subgraph ids are UUIDs)`);
  const isInstance = (node: UiNode) =>
    definitions.has(node.type) && node.mode !== MUTED && node.mode !== BYPASSED;
  if (!workflow.nodes.some(isInstance)) return workflow;
  measure(workflow, definitions, isInstance, { maxNodes });

  const flat: Flat = { nodes: workflow.nodes, links: new Map(), byOrigin: new Map(), nextLinkId: 0 };
  for (const link of workflow.links ?? []) {
    const parts = linkParts(link);
    setLink(flat, parts);
    flat.nextLinkId = Math.max(flat.nextLinkId, parts.id);
  }
  flat.nextLinkId += 1;
  const prepared = new Map<string, Prepared>();
  const expand = (instance: UiNode) => {
    const definition = definitions.get(instance.type)!;
    let shared = prepared.get(definition.id);
    if (!shared) {
      shared = prepare(definition);
      prepared.set(definition.id, shared);
    }
    return expandInstance(flat, instance, definition, shared);
  };
  // Level by level, as it always was, so new link ids come out the same.
  for (let depth = 0; flat.nodes.some(isInstance); depth++) {
    // measure() refused deeper nesting; a backstop in case a built node becomes an instance anyway.
    if (depth === MAX_NESTING)
      throw new WorkflowConversionError(`the workflow nests subgraphs more than ${MAX_NESTING} deep`);
    flat.nodes = flat.nodes.flatMap((node) => (isInstance(node) ? expand(node) : [node]));
  }
  return { ...workflow, nodes: flat.nodes, links: [...flat.links.values()].map(toUiLink) };
}
