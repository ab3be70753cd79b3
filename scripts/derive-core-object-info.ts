/**
 * Derives the ComfyUI simulator's default node catalog from a real `/object_info` dump in
 * ../shared/corpus: ComfyUI's core nodes only (python_module `nodes` or `comfy_extras.*`; not
 * custom nodes, not paid API nodes), tooltips and descriptions dropped to keep it small, and
 * empty model lists (the dumping machine had no checkpoints) filled with the simulator's
 * pretend models so that loaders validate.
 *
 *   npx tsx scripts/derive-core-object-info.ts [source.json] > lambda/catalog/core-object-info.json
 *   npx tsx scripts/pack-core-catalog.ts   # the packed copy the Lambda bundles carry
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIMULATED_MODELS } from '../local/comfyui-simulator/simulated-models';

const source =
  process.argv[2] ??
  join(import.meta.dirname, '../../shared/corpus/object_info/Hype3808__yuzuki-phone__object_info.json');
const all = JSON.parse(readFileSync(source, 'utf8')) as Record<
  string,
  { python_module?: string; input?: Record<string, unknown>; [key: string]: unknown }
>;

const isCore = (module: unknown) =>
  module === 'nodes' || (typeof module === 'string' && module.startsWith('comfy_extras.'));

function slim(spec: unknown, inputName: string): unknown {
  if (!Array.isArray(spec)) return spec;
  const [type, options] = spec;
  const list = Array.isArray(type) && type.length === 0 ? (SIMULATED_MODELS[inputName] ?? type) : type;
  if (options && typeof options === 'object') {
    const { tooltip: _tooltip, ...rest } = options as Record<string, unknown>;
    return Object.keys(rest).length > 0 ? [list, rest] : [list];
  }
  return [list];
}

const derived: Record<string, unknown> = {};
for (const [name, info] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
  if (!isCore(info.python_module)) continue;
  const input: Record<string, unknown> = {};
  for (const [group, specs] of Object.entries(info.input ?? {})) {
    input[group] =
      group === 'hidden'
        ? specs
        : Object.fromEntries(
            Object.entries(specs as Record<string, unknown>).map(([k, v]) => [k, slim(v, k)]),
          );
  }
  const { description: _d, output_tooltips: _t, search_aliases: _s, ...rest } = info;
  derived[name] = { ...rest, input };
}
process.stdout.write(`${JSON.stringify(derived)}\n`);
