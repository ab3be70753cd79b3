import type { ComfyNodeErrors } from '../comfy-errors';
import type { PromptGraph } from '../prompt-graph';
import { ancestors } from './validate-prompt';

/**
 * The prompt the endpoint is given when some outputs failed validation: the outputs that passed
 * and the nodes they need, which is exactly what ComfyUI would run. Forwarding the whole prompt
 * would let ComfyUI judge the failed outputs again with its own, sometimes looser, rules: a node
 * with its own `VALIDATE_INPUTS` skips the list and range checks of the inputs it names
 * (LoadLatent opens any annotated path), and a custom node may declare one for anything. Deny by
 * default: what this service refused never reaches the server.
 */
export function runnablePrompt(
  prompt: PromptGraph,
  outputs: readonly string[],
  nodeErrors: ComfyNodeErrors,
): PromptGraph {
  const skipped = new Set(Object.values(nodeErrors).flatMap((entry) => entry.dependent_outputs));
  if (skipped.size === 0) return prompt;
  const kept = new Set<string>();
  for (const output of outputs)
    if (!skipped.has(output)) for (const id of ancestors(prompt, output)) kept.add(id);
  return Object.fromEntries(Object.entries(prompt).filter(([id]) => kept.has(id)));
}
