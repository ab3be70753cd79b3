import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One node's `/object_info` entry (the parts the simulator reads). */
export interface NodeInfo {
  input: {
    required?: Record<string, unknown[]>;
    optional?: Record<string, unknown[]>;
    hidden?: Record<string, string>;
  };
  input_order?: { required?: string[]; optional?: string[] };
  output: string[];
  output_name?: string[];
  output_node?: boolean;
  display_name?: string;
  [key: string]: unknown;
}

export type ObjectInfo = Record<string, NodeInfo>;

/** ComfyUI's core nodes (scripts/derive-core-object-info.ts): the control plane's bundled catalog too. */
export const DEFAULT_OBJECT_INFO_PATH = join(
  import.meta.dirname,
  '../../lambda/catalog/core-object-info.json',
);

export function loadObjectInfo(path = DEFAULT_OBJECT_INFO_PATH): ObjectInfo {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} is not an /object_info document (expected an object keyed by class_type)`);
  }
  return parsed as ObjectInfo;
}

/** The socket or widget type of an input spec: 'MODEL', 'INT', 'COMBO' for option lists. */
export function inputType(spec: unknown[] | undefined): string | undefined {
  if (!spec) return undefined;
  const [type] = spec;
  if (Array.isArray(type)) return 'COMBO';
  return typeof type === 'string' ? type : undefined;
}
