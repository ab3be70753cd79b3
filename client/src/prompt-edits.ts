import { ComfyExecError } from './errors';
import type { ApiPrompt } from './types';

/** A `--set` or `inputs` key that names nothing in the prompt, or more than one thing. */
export class PromptEditError extends ComfyExecError {
  override name = 'PromptEditError';
}

/** `42` → 42, `true` → true, `"a"` → "a", `[1,2]` → [1,2]; anything that is not JSON stays text. */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
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

/** Sets `NODE.INPUT` to a value; the input must exist and not be a link to another node. */
export function setInput(prompt: ApiPrompt, target: string, value: unknown): void {
  const parts = splitTarget(target);
  if (!parts) throw new PromptEditError(`'${target}' is not NODE.INPUT (e.g. 3.seed or KSampler.seed)`);
  const id = findNode(prompt, parts.node);
  const inputs = prompt[id]!.inputs;
  if (!(parts.input in inputs))
    throw new PromptEditError(
      `node ${describe(prompt, id)} has no input '${parts.input}' (it has: ${Object.keys(inputs).join(', ') || 'none'})`,
    );
  if (Array.isArray(inputs[parts.input]))
    throw new PromptEditError(
      `${describe(prompt, id)}.${parts.input} is a link from another node, not a value`,
    );
  inputs[parts.input] = value;
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

/** Each node's literal values by key: a UI workflow's `widgets_values` (by position) or an API node's `inputs`. */
function literalValues(prompt: Record<string, unknown>): Record<string, unknown>[] {
  const nodes = Array.isArray(prompt.nodes) ? prompt.nodes : Object.values(prompt);
  return (nodes as { inputs?: unknown; widgets_values?: unknown }[]).flatMap((node) => {
    if (Array.isArray(node?.widgets_values))
      return [node.widgets_values as unknown as Record<string, unknown>];
    const inputs = node?.inputs;
    return inputs && typeof inputs === 'object' && !Array.isArray(inputs)
      ? [inputs as Record<string, unknown>]
      : [];
  });
}

/** True when some literal value of the prompt (API inputs or UI widget values) is this file name. */
export function usesFileName(prompt: Record<string, unknown>, name: string): boolean {
  return literalValues(prompt).some((values) => Object.values(values).includes(name));
}

/**
 * Replaces a file name the prompt uses with another, wherever a literal value equals it: API
 * `inputs` or a UI workflow's `widgets_values`. Returns how many values it replaced.
 */
export function replaceFileName(prompt: Record<string, unknown>, from: string, to: string): number {
  let replaced = 0;
  for (const values of literalValues(prompt))
    for (const key of Object.keys(values))
      if (values[key] === from) {
        values[key] = to;
        replaced++;
      }
  return replaced;
}
