import type { NodeCatalog } from '../domain/workflow/node-catalog';
import core from './core-object-info.json' with { type: 'json' };

/**
 * ComfyUI's core nodes (derived from a real /object_info by scripts/derive-core-object-info.ts):
 * the catalog an endpoint is validated against until its container has published its own.
 */
export const CORE_CATALOG = core as unknown as NodeCatalog;
