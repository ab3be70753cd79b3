import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { PromptGraph } from '../../lambda/domain/prompt-graph';
import { ancestors } from '../../lambda/domain/workflow/validate-prompt';
import { inputType, type ObjectInfo } from './catalog';
import { floatRepr, type PyValue, pyDumps, pyLoads } from './python-json';

/** The `[key, text]` pairs SaveImage and SaveAudio embed: `prompt`, then each `extra_pnginfo` key. */
export type SavedMetadata = [key: string, text: string][];

/**
 * What ComfyUI embeds in a saved file (`json.dumps` of the hidden PROMPT and of each
 * EXTRA_PNGINFO entry, nodes.py SaveImage and comfy_extras/nodes_audio.py save_audio), made from
 * the POST /prompt body as Python read it. The prompt is the one the nodes see: widget values as
 * validation converted them (`int()`, `float()`, `str()`, `bool()`, `__value__` unwrapped), and
 * `is_changed` added to each loader that has IS_CHANGED, as the execution's cache adds it.
 */
export function savedMetadata(
  body: string,
  info: ObjectInfo,
  outputs: string[],
  annotatedPath: (name: string) => string | undefined,
): SavedMetadata {
  const parsed = pyLoads(body);
  const prompt = field(parsed, 'prompt');
  if (prompt?.kind !== 'dict') return [];
  const graph = JSON.parse(pyDumps(prompt)) as PromptGraph;
  const validated = new Set(outputs.flatMap((output) => ancestors(graph, output)));
  for (const [id, node] of prompt.entries) {
    const typed = field(node, 'class_type');
    const classType = typed?.kind === 'str' ? typed.value : '';
    const spec = info[classType];
    const inputs = field(node, 'inputs');
    if (!spec || node.kind !== 'dict' || inputs?.kind !== 'dict') continue;
    if (validated.has(id)) {
      const declared = { ...spec.input.required, ...spec.input.optional };
      for (const entry of inputs.entries) entry[1] = converted(entry[1], inputType(declared[entry[0]]));
    }
    const changed = fingerprint(classType, inputs, annotatedPath);
    if (changed && !field(node, 'is_changed')) node.entries.push(['is_changed', changed]);
  }
  const extra = field(field(parsed, 'extra_data'), 'extra_pnginfo');
  const extraEntries = extra?.kind === 'dict' ? extra.entries : [];
  return [
    ['prompt', pyDumps(prompt)],
    ...extraEntries.map(([key, value]): [string, string] => [key, pyDumps(value)]),
  ];
}

function field(value: PyValue | undefined, name: string): PyValue | undefined {
  return value?.kind === 'dict' ? value.entries.find(([key]) => key === name)?.[1] : undefined;
}

/** Validation's conversion of one widget value; links (two-item lists) and combos stay. */
function converted(value: PyValue, type: string | undefined): PyValue {
  if (value.kind === 'list') return value;
  const unwrapped = field(value, '__value__') ?? value;
  const number =
    unwrapped.kind === 'int' || unwrapped.kind === 'float'
      ? Number(unwrapped.value)
      : unwrapped.kind === 'bool'
        ? Number(unwrapped.value)
        : unwrapped.kind === 'str' && unwrapped.value.trim() !== ''
          ? Number(unwrapped.value.trim())
          : Number.NaN;
  switch (type) {
    case 'INT':
      if (unwrapped.kind === 'int') return unwrapped;
      return Number.isFinite(number) ? { kind: 'int', value: BigInt(Math.trunc(number)) } : unwrapped;
    case 'FLOAT':
      return Number.isNaN(number) && unwrapped.kind !== 'float'
        ? unwrapped
        : { kind: 'float', value: number };
    case 'STRING':
      return { kind: 'str', value: pythonStr(unwrapped) };
    case 'BOOLEAN':
      return { kind: 'bool', value: truthy(unwrapped) };
    default:
      return unwrapped;
  }
}

function pythonStr(value: PyValue): string {
  switch (value.kind) {
    case 'str':
      return value.value;
    case 'float':
      return floatRepr(value.value);
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'int':
      return value.value.toString();
    default:
      return pyDumps(value);
  }
}

function truthy(value: PyValue): boolean {
  switch (value.kind) {
    case 'str':
      return value.value !== '';
    case 'int':
      return value.value !== 0n;
    case 'float':
      return value.value !== 0;
    case 'bool':
      return value.value;
    case 'none':
      return false;
    case 'list':
      return value.items.length > 0;
    case 'dict':
      return value.entries.length > 0;
  }
}

/** The loaders whose IS_CHANGED is the SHA-256 of the file they name, by the input naming it. */
const HASHED_FILE: Record<string, string> = {
  LoadImage: 'image',
  LoadImageOutput: 'image',
  LoadImageMask: 'image',
  WebcamCapture: 'image',
  LoadAudio: 'audio',
  LoadLatent: 'latent',
};

/** `is_changed` as the cache writes it: `[sha256 hex]`, LoadVideo's `[mtime]`, NaN when it raised. */
function fingerprint(
  classType: string,
  inputs: PyValue & { kind: 'dict' },
  annotatedPath: (name: string) => string | undefined,
): PyValue | undefined {
  const input = classType === 'LoadVideo' ? 'file' : HASHED_FILE[classType];
  if (!input) return undefined;
  const name = field(inputs, input);
  const path = name?.kind === 'str' ? annotatedPath(name.value) : undefined;
  if (!path) return { kind: 'float', value: Number.NaN };
  if (classType === 'LoadVideo') {
    // os.path.getmtime: seconds + nanoseconds * 1e-9, in doubles.
    const ns = statSync(path, { bigint: true }).mtimeNs;
    const mtime = Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) * 1e-9;
    return { kind: 'list', items: [{ kind: 'float', value: mtime }] };
  }
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  return { kind: 'list', items: [{ kind: 'str', value: hash }] };
}
