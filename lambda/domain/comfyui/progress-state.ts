import type { ExecuteProgress } from '../execute-record';

/** The node `progress_state` tells as running, and how far it is (0 of 1 as it starts). */
export interface RunningNode {
  node: string;
  value: number;
  max: number;
}

/**
 * ComfyUI's `progress_state` (comfy_execution/progress.py, WebUIProgressHandler) as a record can
 * tell it: every node touched so far (`touched`, in the order ComfyUI started them), the running
 * one with its value and max, the others finished with value = max. ComfyUI sends one at every
 * start, step and finish of a node; a record carries starts and the latest step, so the messages
 * made from it are those at a node's start and at each step written, and one when the prompt
 * succeeded. A finished node's max is the sampler's own when it was the last to report steps,
 * else 1 (a record keeps only the latest progress). Shape checked against ComfyUI 0.3.64
 * (test/fixtures/real-comfyui/progress.messages.json).
 */
export function progressState(
  promptId: string,
  touched: readonly string[],
  running: RunningNode | undefined,
  latest: ExecuteProgress | null | undefined,
) {
  const finishedMax = (node: string) =>
    latest?.node === node && latest.stage === undefined && latest.max > 0 ? latest.max : 1;
  const nodes = Object.fromEntries(
    touched.map((node) => {
      const state =
        running?.node === node
          ? { value: running.value, max: running.max, state: 'running' }
          : { value: finishedMax(node), max: finishedMax(node), state: 'finished' };
      return [
        node,
        {
          ...state,
          node_id: node,
          prompt_id: promptId,
          display_node_id: node,
          parent_node_id: null,
          real_node_id: node,
        },
      ];
    }),
  );
  return { type: 'progress_state', data: { prompt_id: promptId, nodes } };
}
