import { cancelledAnswer } from './claim-record';
import type { HistoryEntry } from './comfy-client';
import { failed, type InvocationAnswer, tracebackTail } from './invocation-result';

/**
 * What ComfyUI's history entry of a finished prompt means for the answer: undefined on success,
 * else the failure (a node's error, an interrupt that was or was not the client's cancel).
 */
export function classifyHistory(
  promptId: string,
  entry: HistoryEntry | undefined,
  cancelled: boolean,
): InvocationAnswer | undefined {
  if (entry?.status?.status_str === 'success') return undefined;
  const messages: [string, Record<string, unknown>][] = entry?.status?.messages ?? [];
  const [kind, data = {}] =
    messages.findLast(([type]) => type === 'execution_error' || type === 'execution_interrupted') ?? [];
  if (kind === 'execution_interrupted' && cancelled)
    return cancelledAnswer(promptId, 'cancelled by the client while running');
  if (kind === 'execution_error') {
    const error = {
      type: 'execution_error',
      node_id: data.node_id,
      node_type: data.node_type,
      exception_type: data.exception_type,
      exception_message: data.exception_message,
      traceback: tracebackTail(data.traceback),
      executed: data.executed,
    };
    return failed(
      promptId,
      500,
      `${data.node_type} (node ${data.node_id}) failed: ${data.exception_type}: ${data.exception_message}`,
      error,
    );
  }
  if (kind === 'execution_interrupted') {
    return failed(
      promptId,
      500,
      `ComfyUI interrupted the prompt at node ${data.node_id} (not at the client's request)`,
      { type: 'execution_interrupted', node_id: data.node_id, node_type: data.node_type },
    );
  }
  return failed(promptId, 500, `ComfyUI finished the prompt with status '${entry?.status?.status_str}'`, {
    type: 'execution_failed',
    status: entry?.status,
  });
}
