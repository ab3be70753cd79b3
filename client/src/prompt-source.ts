import { readEmbeddedWorkflow, savedFileFormat } from './embedded/embedded-workflow';
import { ComfyExecError } from './errors';
import { parseExactJson } from './exact-json';
import type { ApiPrompt } from './types';

/**
 * What `run` and `validate` accept: an API-format prompt, a UI workflow (as ComfyUI's editor saves
 * it), either as JSON text, or the bytes of a PNG, WEBP or MP4 ComfyUI saved (its embedded prompt,
 * else its workflow).
 */
export type PromptSource = Record<string, unknown> | string | Uint8Array | ArrayBuffer | Blob;

export interface ResolvedPrompt {
  /** What goes in CreateExecute's `prompt`: the API format, or the UI workflow to convert. */
  prompt: Record<string, unknown>;
  kind: 'api' | 'ui';
  /** Where it came from: JSON, or the file format it was embedded in. */
  from: 'json' | 'png' | 'webp' | 'mp4';
}

export class PromptSourceError extends ComfyExecError {
  override name = 'PromptSourceError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A UI workflow: the editor's `nodes` and `links` arrays. */
export const isUiWorkflow = (value: Record<string, unknown>) =>
  Array.isArray(value.nodes) && Array.isArray(value.links);

const isApiPrompt = (value: Record<string, unknown>) =>
  Object.keys(value).length > 0 &&
  Object.values(value).every((node) => isObject(node) && typeof node.class_type === 'string');

function classify(value: unknown, from: ResolvedPrompt['from']): ResolvedPrompt {
  if (!isObject(value)) throw new PromptSourceError('the workflow is not a JSON object');
  if (isUiWorkflow(value)) return { prompt: value, kind: 'ui', from };
  // A /prompt request body saved whole: {prompt: {...}, client_id, ...}.
  if (isObject(value.prompt) && !isApiPrompt(value) && isApiPrompt(value.prompt))
    return { prompt: value.prompt, kind: 'api', from };
  if (isApiPrompt(value)) return { prompt: value as ApiPrompt, kind: 'api', from };
  throw new PromptSourceError(
    'the JSON is neither an API-format prompt (node id → {class_type, inputs}) nor a UI workflow (nodes and links)',
  );
}

function fromText(text: string): ResolvedPrompt {
  let value: unknown;
  try {
    // A saved 64-bit seed keeps its digits (JSON.parse would run a neighbouring seed).
    value = parseExactJson(text);
  } catch (error) {
    throw new PromptSourceError(`the workflow is not valid JSON: ${(error as Error).message}`);
  }
  return classify(value, 'json');
}

/**
 * The endpoint gives each execute's input files a private folder, `comfy-exec/{prompt_id}/`, and
 * ComfyUI embeds the prompt as it ran, so an image saved by one execute names its inputs there.
 * Run again, those names are the caller's inputs by their own names (`in-…-cat.png`): the folder
 * of a finished execute is gone, and another's is never the caller's to read.
 */
const PRIVATE_INPUT = /^comfy-exec\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/([^/]+)$/;

function withInputNames(resolved: ResolvedPrompt): ResolvedPrompt {
  const rename = (value: unknown) =>
    typeof value === 'string' ? (PRIVATE_INPUT.exec(value)?.[1] ?? value) : value;
  const nodes =
    resolved.kind === 'ui' ? (resolved.prompt.nodes as unknown[]) : Object.values(resolved.prompt);
  for (const node of nodes) {
    if (!isObject(node)) continue;
    if (Array.isArray(node.widgets_values)) node.widgets_values = node.widgets_values.map(rename);
    if (isObject(node.inputs))
      for (const [name, value] of Object.entries(node.inputs)) node.inputs[name] = rename(value);
  }
  return resolved;
}

async function fromBytes(bytes: Uint8Array): Promise<ResolvedPrompt> {
  const format = savedFileFormat(bytes);
  if (!format) return fromText(new TextDecoder().decode(bytes));
  const embedded = await readEmbeddedWorkflow(bytes);
  // The prompt is exactly what ran; the workflow needs converting against the endpoint's nodes.
  if (embedded.prompt) return withInputNames({ ...classify(embedded.prompt, format), from: format });
  if (embedded.workflow) return withInputNames({ ...classify(embedded.workflow, format), from: format });
  throw new PromptSourceError(`this ${format.toUpperCase()} carries no ComfyUI prompt or workflow`);
}

/** Turns whatever the caller has into the prompt CreateExecute takes. */
export async function resolvePromptSource(source: PromptSource): Promise<ResolvedPrompt> {
  if (typeof source === 'string') return fromText(source);
  if (source instanceof Uint8Array) return fromBytes(source);
  if (source instanceof ArrayBuffer) return fromBytes(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob)
    return fromBytes(new Uint8Array(await source.arrayBuffer()));
  return classify(source, 'json');
}
