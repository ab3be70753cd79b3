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

export interface UiWorkflow {
  nodes: UiNode[];
  links: UiLink[];
  extra?: { groupNodes?: Record<string, unknown> };
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
