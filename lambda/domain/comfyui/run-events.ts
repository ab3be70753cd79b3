import type { ExecuteRecord } from '../execute-record';

/** The record fields ComfyUI's run events are made of. */
export type RunRecord = Pick<
  ExecuteRecord,
  'prompt_id' | 'status' | 'start_time' | 'complete_time' | 'error' | 'message'
>;

export type RunEvent = [type: string, data: Record<string, unknown>];

export const millis = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Date.now());

/** The start, as the real server records it (checked on ComfyUI 0.3.64): start, then cached (none: every run is fresh). */
export function startEvents(record: RunRecord): RunEvent[] {
  const at = millis(record.start_time);
  return [
    ['execution_start', { prompt_id: record.prompt_id, timestamp: at }],
    ['execution_cached', { nodes: [], prompt_id: record.prompt_id, timestamp: at }],
  ];
}

/**
 * How a finished run ended, as ComfyUI's history messages and websocket both say it:
 * `execution_success`, `execution_interrupted` (cancelled) or `execution_error` with the node.
 */
export function endEvent(record: RunRecord): RunEvent {
  const id = record.prompt_id;
  const at = millis(record.complete_time);
  if (record.status === 'success') return ['execution_success', { prompt_id: id, timestamp: at }];
  const error = record.error ?? {};
  const node = { node_id: error.node_id ?? null, node_type: error.node_type ?? null };
  if (record.status === 'cancelled')
    return ['execution_interrupted', { prompt_id: id, ...node, executed: [], timestamp: at }];
  return [
    'execution_error',
    {
      prompt_id: id,
      ...node,
      executed: error.executed ?? [],
      exception_message: error.exception_message ?? record.message,
      exception_type: error.exception_type ?? '',
      traceback: error.traceback ?? [],
      current_inputs: {},
      current_outputs: [],
      timestamp: at,
    },
  ];
}
