import { type NodeCatalog, nodeSpec, widgetSlots } from './node-catalog';
import { linkParts, toUiLink, type UiNode, type UiWorkflow } from './ui-workflow';

interface GroupDefinition {
  nodes: (UiNode & { index: number })[];
  /** `[originIndex | null (group input), originSlot, targetIndex, targetSlot, ...]` */
  links: [number | null, number, number, number, ...unknown[]][];
  /** `[[innerNode {index}, outputSlot, type], ...]`: the group node's outputs, in order. */
  external?: [{ index: number }, number, string][];
}

const groupName = (type: string) =>
  type.startsWith('workflow/')
    ? type.slice('workflow/'.length)
    : type.startsWith('workflow>')
      ? type.slice('workflow>'.length)
      : undefined;

/**
 * Legacy group nodes (`extra.groupNodes`, node type `workflow/<name>` or `workflow>name`) become
 * their inner nodes with ids `<groupNodeId>:<innerIndex>`, as the editor queues them: the group's
 * widgets_values are dealt to the inner nodes' widgets in order, its inputs and outputs rewired to
 * the inner sockets they stand for.
 */
export function expandGroupNodes(workflow: UiWorkflow, catalog: NodeCatalog): UiWorkflow {
  const definitions = (workflow.extra?.groupNodes ?? {}) as Record<string, GroupDefinition>;
  if (!workflow.nodes.some((node) => groupName(node.type) !== undefined)) return workflow;
  const links = workflow.links.map(linkParts);
  let nextLinkId = Math.max(0, ...links.map((link) => link.id)) + 1;
  const nodes: UiNode[] = [];
  const outputMap = new Map<string, { id: string; slot: number }>();

  for (const group of workflow.nodes) {
    const name = groupName(group.type);
    const definition = name === undefined ? undefined : definitions[name];
    if (!definition) {
      nodes.push(group);
      continue;
    }
    const id = (index: number) => `${group.id}:${index}`;
    const values = Array.isArray(group.widgets_values) ? [...group.widgets_values] : [];
    const inner = definition.nodes.map((node): UiNode => {
      const spec = nodeSpec(catalog, node.type);
      let take = 0;
      for (const slot of spec ? widgetSlots(spec) : []) take += slot.controlAfterGenerate ? 2 : 1;
      const own = values.splice(0, Math.min(take, values.length));
      return {
        ...node,
        id: id(node.index),
        mode: group.mode === 2 || group.mode === 4 ? group.mode : node.mode,
        inputs: (node.inputs ?? []).map((input) => ({ ...input, link: null })),
        ...(take > 0 ? { widgets_values: own } : {}),
      };
    });
    const byIndex = new Map(inner.map((node, i) => [definition.nodes[i]!.index, node]));
    // Group inputs are the inner sockets fed from outside, in (node, slot) order.
    const fedFromOutside = definition.links
      .filter((link) => link[0] === null)
      .map((link) => ({ target: link[2], slot: link[3] }))
      .filter(
        (entry, i, all) =>
          all.findIndex((other) => other.target === entry.target && other.slot === entry.slot) === i,
      )
      .sort((a, b) => a.target - b.target || a.slot - b.slot);
    for (const [originIndex, originSlot, targetIndex, targetSlot, , type] of definition.links) {
      const targetInput = byIndex.get(targetIndex)?.inputs?.[targetSlot];
      if (!targetInput) continue;
      if (originIndex === null) {
        const groupInput =
          group.inputs?.[
            fedFromOutside.findIndex((entry) => entry.target === targetIndex && entry.slot === targetSlot)
          ];
        const outer = links.find((link) => link.id === groupInput?.link);
        if (!outer) continue;
        links.push({
          id: nextLinkId,
          originId: outer.originId,
          originSlot: outer.originSlot,
          targetId: id(targetIndex),
          targetSlot,
          type: outer.type,
        });
      } else {
        links.push({
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
    for (const [output, [node, slot]] of (definition.external ?? []).entries()) {
      outputMap.set(`${group.id}/${output}`, { id: id(node.index), slot });
    }
    nodes.push(...inner);
  }
  // Consumers of a group node's outputs now read the inner node's socket.
  for (const link of links) {
    const target = outputMap.get(`${link.originId}/${link.originSlot}`);
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
