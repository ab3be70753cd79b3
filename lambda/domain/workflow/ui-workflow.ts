/** The editor's saved format (comfyui-server-api.md §9.1), the parts conversion reads. */
export interface UiInput {
  name: string;
  type?: string;
  link?: number | null;
  widget?: { name: string };
}

export interface UiNode {
  id: number | string;
  type: string;
  mode?: number;
  title?: string;
  inputs?: UiInput[];
  outputs?: { name?: string; type?: string; links?: number[] | null }[];
  widgets_values?: unknown[] | Record<string, unknown>;
}

/** `[link_id, origin_id, origin_slot, target_id, target_slot, type]`, or the object form subgraphs use. */
export type UiLink =
  | [number, number | string, number, number | string, number, string]
  | {
      id: number;
      origin_id: number | string;
      origin_slot: number;
      target_id: number | string;
      target_slot: number;
      type: string;
    };

/** A subgraph definition (`definitions.subgraphs[]`): a graph whose instances are nodes typed by its id. */
export interface SubgraphDefinition {
  id: string;
  name?: string;
  /** The instance's inputs and outputs, in slot order; inside, the input node is -10, the output node -20. */
  inputs?: { name: string; type?: string }[];
  outputs?: { name: string; type?: string }[];
  nodes: UiNode[];
  links: UiLink[];
}

export interface UiWorkflow {
  nodes: UiNode[];
  links: UiLink[];
  extra?: { groupNodes?: Record<string, unknown> };
  definitions?: { subgraphs?: SubgraphDefinition[] };
  last_node_id?: number;
  version?: number;
}

/** A UI workflow (File → Save) rather than an API prompt: `nodes` + `links`, or `last_node_id`/`version`. */
export function isUiWorkflow(value: unknown): value is UiWorkflow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  if (Array.isArray(candidate.nodes) && Array.isArray(candidate.links)) return true;
  return (
    typeof candidate.last_node_id === 'number' &&
    typeof candidate.version === 'number' &&
    Array.isArray(candidate.nodes)
  );
}

/** A link of either form, as named fields. */
export interface LinkParts {
  id: number;
  originId: string;
  originSlot: number;
  targetId: string;
  targetSlot: number;
  type: string;
}

export function linkParts(link: UiLink): LinkParts {
  return Array.isArray(link)
    ? {
        id: link[0],
        originId: String(link[1]),
        originSlot: link[2],
        targetId: String(link[3]),
        targetSlot: link[4],
        type: String(link[5]),
      }
    : {
        id: link.id,
        originId: String(link.origin_id),
        originSlot: link.origin_slot,
        targetId: String(link.target_id),
        targetSlot: link.target_slot,
        type: String(link.type),
      };
}

/** The array form the converter reads. */
export const toUiLink = (link: LinkParts): UiLink => [
  link.id,
  link.originId,
  link.originSlot,
  link.targetId,
  link.targetSlot,
  link.type,
];
