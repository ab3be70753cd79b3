import type { UiInput, UiNode, UiWorkflow } from './ui-workflow';

/** Editor-only nodes: they never reach the server (comfyui-server-api.md §9.2 rules 7–9). */
export const VIRTUAL_TYPES = new Set([
  'Note',
  'MarkdownNote',
  'PrimitiveNode',
  'Reroute',
  'Fast Groups Muter (rgthree)',
  'Fast Groups Bypasser (rgthree)',
  'Fast Muter (rgthree)',
  'Fast Bypasser (rgthree)',
  'Fast Actions Button (rgthree)',
  'Label (rgthree)',
  'Bookmark (rgthree)',
  'Note Plus (mtb)',
  'SetNode',
  'GetNode',
]);
export const MUTED = 2;
export const BYPASSED = 4;

interface Link {
  originId: string;
  originSlot: number;
  type: string;
}

export type Resolved =
  | { kind: 'link'; value: [string, number] }
  | { kind: 'value'; value: unknown }
  | { kind: 'none' };

const NONE: Resolved = { kind: 'none' };

/** One step back along a link: a final answer, or the link its origin passes on. */
type Step = Resolved | { kind: 'through'; linkId: number | null | undefined };

function linksById(workflow: UiWorkflow): Map<number, Link> {
  const links = new Map<number, Link>();
  for (const link of workflow.links ?? []) {
    if (Array.isArray(link))
      links.set(link[0], { originId: String(link[1]), originSlot: link[2], type: String(link[5]) });
    else
      links.set(link.id, {
        originId: String(link.origin_id),
        originSlot: link.origin_slot,
        type: String(link.type),
      });
  }
  return links;
}

/**
 * Where each link's value really comes from, through reroutes, primitives and bypassed nodes
 * (rules 7, 8 and 10). A link's answer depends on that link alone, so each is worked out once and
 * remembered: a chain of reroutes read by many inputs, or by many chains joining it, is walked
 * once in all, and the whole conversion takes one step per link at most.
 */
export class LinkResolver {
  private readonly links: Map<number, Link>;
  private readonly resolved = new Map<number, Resolved>();
  /** Per bypassed node, its first linked input of each type (rule 10's fallback), built once. */
  private readonly linkedInputByType = new Map<UiNode, Map<string, UiInput>>();

  constructor(
    workflow: UiWorkflow,
    private readonly nodes: ReadonlyMap<string, UiNode>,
  ) {
    this.links = linksById(workflow);
  }

  resolve(linkId: number | null | undefined): Resolved {
    const walked: number[] = [];
    const onWalk = new Set<number>();
    let current = linkId;
    let answer: Resolved = NONE;
    while (current !== null && current !== undefined) {
      const known = this.resolved.get(current);
      if (known) {
        answer = known;
        break;
      }
      const link = this.links.get(current);
      // A link that leads back to itself has no real origin: nothing feeds it.
      if (!link || onWalk.has(current)) break;
      walked.push(current);
      onWalk.add(current);
      const step = this.step(link);
      if (step.kind !== 'through') {
        answer = step;
        break;
      }
      current = step.linkId;
    }
    for (const id of walked) this.resolved.set(id, answer);
    return answer;
  }

  private step(link: Link): Step {
    const origin = this.nodes.get(link.originId);
    if (!origin || origin.mode === MUTED) return NONE;
    if (origin.type === 'PrimitiveNode') {
      const values = origin.widgets_values;
      return Array.isArray(values) && values.length > 0 ? { kind: 'value', value: values[0] } : NONE;
    }
    if (origin.type === 'Reroute') return { kind: 'through', linkId: origin.inputs?.[0]?.link };
    if (origin.mode === BYPASSED) {
      const bySlot = origin.inputs?.[link.originSlot];
      const through =
        bySlot && bySlot.type === link.type && bySlot.link != null
          ? bySlot
          : this.firstLinkedInput(origin, link.type);
      return through ? { kind: 'through', linkId: through.link } : NONE;
    }
    if (VIRTUAL_TYPES.has(origin.type)) return NONE;
    return { kind: 'link', value: [link.originId, link.originSlot] };
  }

  private firstLinkedInput(node: UiNode, type: string): UiInput | undefined {
    let byType = this.linkedInputByType.get(node);
    if (!byType) {
      byType = new Map();
      for (const input of node.inputs ?? [])
        if (typeof input.type === 'string' && input.link != null && !byType.has(input.type))
          byType.set(input.type, input);
      this.linkedInputByType.set(node, byType);
    }
    return byType.get(type);
  }
}
