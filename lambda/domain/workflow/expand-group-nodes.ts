import { WorkflowConversionError } from './conversion-error';
import { checkExpandedSize } from './expansion-limits';
import { groupName } from './group-node-name';
import { type NodeCatalog, nodeSpec, widgetSlots } from './node-catalog';
import { type LinkParts, linkParts, toUiLink, type UiNode, type UiWorkflow } from './ui-workflow';

interface GroupDefinition {
  nodes: (UiNode & { index: number })[];
  /** `[originIndex | null (group input), originSlot, targetIndex, targetSlot, ...]` */
  links: [number | null, number, number, number, ...unknown[]][];
  /** `[[innerNode {index}, outputSlot, type], ...]`: the group node's outputs, in order. */
  external?: [{ index: number }, number, string][];
}

/**
 * The group's inputs are the inner sockets fed from outside, in (node, slot) order: each one's
 * index among them, by `target/slot`.
 */
function groupInputIndexes(definition: GroupDefinition): Map<string, number> {
  const fed: { target: number; slot: number; key: string }[] = [];
  const seen = new Set<string>();
  for (const link of definition.links) {
    if (link[0] !== null) continue;
    const key = `${link[2]}/${link[3]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fed.push({ target: link[2], slot: link[3], key });
  }
  fed.sort((a, b) => a.target - b.target || a.slot - b.slot);
  return new Map(fed.map((entry, index) => [entry.key, index]));
}

/**
 * Where a consumer of a group node's output `slot` now reads: the inner socket its definition's
 * `external[slot]` names, looked up per link rather than copied per instance (a definition may
 * list many outputs, and many instances share it).
 */
function innerSocket(groupId: string, definition: GroupDefinition, slot: number) {
  const { external } = definition;
  const entry = Array.isArray(external) && Object.hasOwn(external, slot) ? external[slot] : undefined;
  if (!Array.isArray(entry)) return undefined;
  const [node, innerSlot] = entry;
  return { id: `${groupId}:${node?.index}`, slot: innerSlot };
}

/**
 * Legacy group nodes (`extra.groupNodes`, node type `workflow/<name>` or `workflow>name`) become
 * their inner nodes with ids `<groupNodeId>:<innerIndex>`, as the editor queues them: the group's
 * widgets_values are dealt to the inner nodes' widgets in order, its inputs and outputs rewired to
 * the inner sockets they stand for. Past `maxNodes` nodes (or LINKS_PER_NODE × `maxNodes` links)
 * the expansion is refused before anything is built.
 */
export function expandGroupNodes(
  workflow: UiWorkflow,
  catalog: NodeCatalog,
  maxNodes = Number.POSITIVE_INFINITY,
): UiWorkflow {
  const definitions = (workflow.extra?.groupNodes ?? {}) as Record<string, GroupDefinition>;
  const definitionOf = (node: UiNode) => {
    const name = groupName(node.type);
    const definition = name !== undefined && Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    return typeof definition === 'object' && definition !== null ? definition : undefined;
  };
  if (!workflow.nodes.some((node) => groupName(node.type) !== undefined)) return workflow;

  // Measured first: a few bytes of group nodes can stand for a large definition each.
  let expandedNodes = 0;
  let expandedLinks = workflow.links?.length ?? 0;
  for (const node of workflow.nodes) {
    const definition = definitionOf(node);
    if (!definition) {
      expandedNodes += 1;
      continue;
    }
    if (!Array.isArray(definition.nodes) || !Array.isArray(definition.links))
      throw new WorkflowConversionError(
        `node ${node.id} (${node.type}): its group node definition has no nodes or links list`,
        String(node.id),
      );
    expandedNodes += definition.nodes.length;
    expandedLinks += definition.links.length;
  }
  checkExpandedSize('group nodes', expandedNodes, expandedLinks, { maxNodes });

  const links = (workflow.links ?? []).map(linkParts);
  // The first link of each id, as a search from the start would find it.
  const linkById = new Map<number, LinkParts>();
  const addLink = (link: LinkParts) => {
    if (!linkById.has(link.id)) linkById.set(link.id, link);
  };
  for (const link of links) addLink(link);
  const pushLink = (link: LinkParts) => {
    links.push(link);
    addLink(link);
  };
  let nextLinkId = links.reduce((max, link) => Math.max(max, link.id), 0) + 1;
  const nodes: UiNode[] = [];
  const groupsById = new Map<string, GroupDefinition>();
  const inputIndexes = new Map<GroupDefinition, Map<string, number>>();

  for (const group of workflow.nodes) {
    const definition = definitionOf(group);
    if (!definition) {
      nodes.push(group);
      continue;
    }
    const id = (index: number) => `${group.id}:${index}`;
    const values = Array.isArray(group.widgets_values) ? group.widgets_values : [];
    // A read position, not splice: splicing the front of a long list per inner node is quadratic.
    let next = 0;
    const inner = definition.nodes.map((node): UiNode => {
      const spec = nodeSpec(catalog, node.type);
      let take = 0;
      for (const slot of spec ? widgetSlots(spec) : []) take += slot.controlAfterGenerate ? 2 : 1;
      const own = values.slice(next, next + take);
      next += own.length;
      return {
        ...node,
        id: id(node.index),
        mode: group.mode === 2 || group.mode === 4 ? group.mode : node.mode,
        inputs: (node.inputs ?? []).map((input) => ({ ...input, link: null })),
        ...(take > 0 ? { widgets_values: own } : {}),
      };
    });
    const byIndex = new Map(inner.map((node, i) => [definition.nodes[i]!.index, node]));
    let fedFromOutside = inputIndexes.get(definition);
    if (!fedFromOutside) {
      fedFromOutside = groupInputIndexes(definition);
      inputIndexes.set(definition, fedFromOutside);
    }
    for (const [originIndex, originSlot, targetIndex, targetSlot, , type] of definition.links) {
      const targetInput = byIndex.get(targetIndex)?.inputs?.[targetSlot];
      if (!targetInput) continue;
      if (originIndex === null) {
        const groupInput = group.inputs?.[fedFromOutside.get(`${targetIndex}/${targetSlot}`) ?? -1];
        const outer = groupInput?.link == null ? undefined : linkById.get(groupInput.link);
        if (!outer) continue;
        pushLink({
          id: nextLinkId,
          originId: outer.originId,
          originSlot: outer.originSlot,
          targetId: id(targetIndex),
          targetSlot,
          type: outer.type,
        });
      } else {
        pushLink({
          id: nextLinkId,
          originId: id(originIndex),
          originSlot,
          targetId: id(targetIndex),
          targetSlot,
          type: String(type ?? targetInput.type ?? '*'),
        });
      }
      targetInput.link = nextLinkId++;
    }
    groupsById.set(String(group.id), definition);
    for (const node of inner) nodes.push(node);
  }
  // Consumers of a group node's outputs now read the inner node's socket.
  for (const link of links) {
    const definition = groupsById.get(link.originId);
    const target = definition && innerSocket(link.originId, definition, link.originSlot);
    if (target) {
      link.originId = target.id;
      link.originSlot = target.slot;
    }
  }
  return {
    ...workflow,
    nodes,
    links: links.map(toUiLink),
  };
}
