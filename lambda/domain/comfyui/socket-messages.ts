import type { ExecuteRecord } from '../execute-record';
import { comfyOutputs } from './history-entry';

/** One websocket message as ComfyUI sends it: `{type, data}` (shared/docs/comfyui-server-api.md §8). */
export interface ComfySocketMessage {
  type: string;
  data: Record<string, unknown>;
}

/** What the messages are made of: the fields of a record that a stream image carries. */
export type RecordImage = Pick<
  ExecuteRecord,
  'prompt_id' | 'status' | 'start_time' | 'complete_time' | 'progress' | 'outputs' | 'error' | 'message'
>;

const millis = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Date.now());

function ended(after: RecordImage, ranBefore: boolean): ComfySocketMessage[] {
  const id = after.prompt_id;
  const at = millis(after.complete_time);
  const error = after.error ?? {};
  const done: ComfySocketMessage = {
    type: 'executing',
    data: { node: null, display_node: null, prompt_id: id },
  };
  if (after.status === 'success') {
    const executed = Object.entries(comfyOutputs(after.outputs)).map(
      ([node, output]): ComfySocketMessage => ({
        type: 'executed',
        data: { node, display_node: node, output, prompt_id: id },
      }),
    );
    return [...executed, { type: 'execution_success', data: { prompt_id: id, timestamp: at } }, done];
  }
  if (after.status === 'cancelled') {
    // Taken off the queue before it ran: ComfyUI says nothing of it (only the queue size changes).
    if (!ranBefore) return [];
    return [
      {
        type: 'execution_interrupted',
        data: {
          prompt_id: id,
          node_id: error.node_id ?? null,
          node_type: error.node_type ?? null,
          executed: [],
          timestamp: at,
        },
      },
      done,
    ];
  }
  return [
    {
      type: 'execution_error',
      data: {
        prompt_id: id,
        node_id: error.node_id ?? null,
        node_type: error.node_type ?? null,
        executed: error.executed ?? [],
        exception_message: error.exception_message ?? after.message,
        exception_type: error.exception_type ?? '',
        traceback: error.traceback ?? [],
        current_inputs: {},
        current_outputs: {},
        timestamp: at,
      },
    },
    done,
  ];
}

/**
 * The messages ComfyUI would have sent its client for one change of an execute, in ComfyUI's
 * order: the claim starts it (`execution_start`, `execution_cached`), each progress write says
 * which node runs (`executing` when the node changes, then `progress`), and the end says how it
 * went (`executed` for each output node, then `execution_success`, `execution_error` or
 * `execution_interrupted`, then `executing` with `node: null`). A failure before the run (the
 * queue's TTL, a refused invocation) still ends the client's wait with `execution_error`.
 * `status` (the queue size) is the sender's to add: it depends on the owner's other executes.
 */
export function socketMessagesFor(before: RecordImage | undefined, after: RecordImage): ComfySocketMessage[] {
  const id = after.prompt_id;
  const messages: ComfySocketMessage[] = [];
  const wasRunning = before?.status === 'running';
  // The claim sets start_time once: that write is the start.
  if (after.start_time !== '' && !before?.start_time) {
    const at = millis(after.start_time);
    messages.push(
      { type: 'execution_start', data: { prompt_id: id, timestamp: at } },
      { type: 'execution_cached', data: { nodes: [], prompt_id: id, timestamp: at } },
    );
  }
  const progress = after.progress;
  if (after.status === 'running' && progress?.node && progress.stage === undefined) {
    const changed = JSON.stringify(progress) !== JSON.stringify(before?.progress ?? null);
    if (progress.node !== before?.progress?.node)
      messages.push({
        type: 'executing',
        data: { node: progress.node, display_node: progress.node, prompt_id: id },
      });
    if (changed)
      messages.push({
        type: 'progress',
        data: { value: progress.value, max: progress.max, prompt_id: id, node: progress.node },
      });
  }
  const finalNow =
    ['success', 'failed', 'cancelled'].includes(after.status) && before?.status !== after.status;
  if (finalNow) messages.push(...ended(after, wasRunning || after.start_time !== ''));
  return messages;
}
