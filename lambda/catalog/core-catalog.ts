import { brotliDecompressSync } from 'node:zlib';
import type { NodeCatalog } from '../domain/workflow/node-catalog';
import { CORE_OBJECT_INFO_BROTLI_BASE64 } from './core-object-info.packed';

let unpacked: NodeCatalog | undefined;

/**
 * ComfyUI's core nodes (derived from a real /object_info by scripts/derive-core-object-info.ts):
 * the catalog an endpoint is validated against until its container has published its own.
 * Carried packed and unpacked on first use (a few ms, once per container), so functions that
 * never need it do not pay for it at every cold start.
 */
export function coreCatalog(): NodeCatalog {
  unpacked ??= JSON.parse(
    brotliDecompressSync(Buffer.from(CORE_OBJECT_INFO_BROTLI_BASE64, 'base64')).toString('utf8'),
  ) as NodeCatalog;
  return unpacked;
}
