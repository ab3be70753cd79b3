import { ComfyExecError } from './errors';
import { parseExactJson } from './exact-json';
import type { ApiPrompt } from './types';

/** A `--set` or `inputs` key that names nothing in the prompt, or more than one thing. */
export class PromptEditError extends ComfyExecError {
  override name = 'PromptEditError';
}

/**
 * `42` → 42, `true` → true, `"a"` → "a", `[1,2]` → [1,2], `18446744073709551615` → that BigInt
 * (exact); anything that is not JSON stays text.
 */
export function parseSetValue(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    return text;
  }
}

const describe = (prompt: ApiPrompt, id: string) => `${id} (${prompt[id]!.class_type})`;

/**
 * The node a `NODE` names: its id; else the one node of that class, or with that title.
 * `3.seed`, `KSampler.seed` and `"My sampler".seed` all work while they are unambiguous.
 */
export function findNode(prompt: ApiPrompt, name: string): string {
  if (prompt[name]) return name;
  for (const matches of [
    (id: string) => prompt[id]!.class_type === name,
    (id: string) => prompt[id]!._meta?.title === name,
  ]) {
    const found = Object.keys(prompt).filter(matches);
    if (found.length === 1) return found[0]!;
    if (found.length > 1)
      throw new PromptEditError(
        `'${name}' matches nodes ${found.map((id) => describe(prompt, id)).join(', ')}; use a node id`,
      );
  }
  throw new PromptEditError(`no node '${name}' in the prompt (node ids: ${Object.keys(prompt).join(', ')})`);
}

/** Splits `NODE.INPUT` at its last dot (a title may hold dots; an input name does not). */
export function splitTarget(target: string): { node: string; input: string } | undefined {
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) return undefined;
  return { node: target.slice(0, dot), input: target.slice(dot + 1) };
}

/** ComfyUI's object_info entry of a node class (the parts used here). */
export interface NodeInfo {
  input?: { required?: Record<string, unknown>; optional?: Record<string, unknown> };
}

/** Widget types ComfyUI's frontend draws (a value); any other type is a link from another node. */
const WIDGET_TYPES = new Set(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

/** Whether an object_info input spec takes a literal value: a widget, not forced to be a link. */
function takesValue(spec: unknown): boolean {
  if (!Array.isArray(spec)) return false;
  const [type, options] = spec as [unknown, { forceInput?: unknown } | undefined];
  if (options?.forceInput === true) return false;
  return Array.isArray(type) || (typeof type === 'string' && WIDGET_TYPES.has(type));
}

const typeName = (spec: unknown) => (Array.isArray(spec) && typeof spec[0] === 'string' ? spec[0] : 'a link');

/** The node id and input a `NODE.INPUT` target names (the node must exist; the input need not). */
export function resolveTarget(prompt: ApiPrompt, target: string): { id: string; input: string } {
  const parts = splitTarget(target);
  if (!parts) throw new PromptEditError(`'${target}' is not NODE.INPUT (e.g. 3.seed or KSampler.seed)`);
  return { id: findNode(prompt, parts.node), input: parts.input };
}

/** The class of the target's node when that node lacks the input (its catalog entry may have it). */
export function classLackingInput(prompt: ApiPrompt, target: string): string | undefined {
  const { id, input } = resolveTarget(prompt, target);
  return Object.hasOwn(prompt[id]!.inputs, input) ? undefined : prompt[id]!.class_type;
}

/**
 * Sets `NODE.INPUT` to a value. An input the node has must not be a link to another node; one it
 * lacks is added when `nodeInfo` (the class's object_info entry) has it as a widget: older
 * exports leave out inputs a newer ComfyUI requires.
 */
export function setInput(prompt: ApiPrompt, target: string, value: unknown, nodeInfo?: NodeInfo): void {
  const { id, input } = resolveTarget(prompt, target);
  const inputs = prompt[id]!.inputs;
  if (!Object.hasOwn(inputs, input)) {
    const known = { ...nodeInfo?.input?.required, ...nodeInfo?.input?.optional };
    const has = `it has: ${Object.keys(inputs).join(', ') || 'none'}`;
    if (!Object.hasOwn(known, input))
      throw new PromptEditError(
        nodeInfo
          ? `node ${describe(prompt, id)} has no input '${input}' (${has}; its catalog entry has: ${Object.keys(known).join(', ') || 'none'})`
          : `node ${describe(prompt, id)} has no input '${input}' (${has})`,
      );
    if (!takesValue(known[input]))
      throw new PromptEditError(
        `${describe(prompt, id)}.${input} takes ${typeName(known[input])} from another node, not a value: connect it in the workflow`,
      );
  } else if (Array.isArray(inputs[input]))
    throw new PromptEditError(`${describe(prompt, id)}.${input} is a link from another node, not a value`);
  inputs[input] = value;
}

/** The one node whose input of this name holds a literal value (`image` → the LoadImage node). */
export function findInputByName(prompt: ApiPrompt, input: string): string | undefined {
  const found = Object.keys(prompt).filter((id) => {
    const value = prompt[id]!.inputs[input];
    return value !== undefined && !Array.isArray(value);
  });
  if (found.length > 1)
    throw new PromptEditError(
      `nodes ${found.map((id) => describe(prompt, id)).join(', ')} all have an input '${input}'; use NODE.${input}`,
    );
  return found[0] && `${found[0]}.${input}`;
}
