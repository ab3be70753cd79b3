import type { ExecuteOutputs } from '../execute-outputs';
import type { ExecuteRecord } from '../execute-record';
import type { PromptGraph } from '../prompt-graph';
import { executeSubfolder } from './execute-subfolder';
import { endEvent, type RunEvent, startEvents } from './run-events';

/**
 * ComfyUI's own shapes for an execute, as its server answers `/history` and `/queue`
 * (shared/docs/comfyui-server-api.md §3, §5): the facade under /comfyui/ speaks them.
 */

export type ComfyQueueItem = [
  number: number,
  prompt_id: string,
  prompt: PromptGraph,
  extra_data: Record<string, unknown>,
  outputs_to_execute: string[],
];

export interface ComfyHistoryEntry {
  prompt: ComfyQueueItem;
  outputs: ExecuteOutputs;
  status: {
    status_str: 'success' | 'error';
    completed: boolean;
    messages: [string, Record<string, unknown>][];
  };
  meta: Record<string, { node_id: string; display_node: string; parent_node: null; real_node_id: string }>;
}

/** The queue number ComfyUI clients see: the create time in ms, so it grows as ComfyUI's counter does. */
export const queueNumber = (record: Pick<ExecuteRecord, 'create_time' | 'prompt_params'>) => {
  const given = Number(record.prompt_params.number);
  return record.prompt_params.number != null && Number.isFinite(given)
    ? given
    : Date.parse(record.create_time);
};

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`, with the client id in extra_data as ComfyUI keeps it. */
export function queueItem(record: ExecuteRecord, prompt: PromptGraph, outputNodes: string[]): ComfyQueueItem {
  const extra = { ...record.prompt_params.extra_data };
  if (record.prompt_params.client_id) extra.client_id = record.prompt_params.client_id;
  return [queueNumber(record), record.prompt_id, prompt, extra, outputNodes];
}

/**
 * ComfyUI's file items (`{filename, subfolder, type}`) of one execute, each under the execute's
 * subfolder (execute-subfolder.ts); our S3 `key` and `url` stay ours.
 */
export function comfyOutputs(outputs: ExecuteOutputs | null, promptId: string): ExecuteOutputs {
  const shaped: ExecuteOutputs = {};
  for (const [node, ui] of Object.entries(outputs ?? {})) {
    shaped[node] = Object.fromEntries(
      Object.entries(ui ?? {}).map(([kind, value]) => [
        kind,
        Array.isArray(value)
          ? value.map((item) => {
              if (typeof item !== 'object' || item === null || !('key' in item)) return item;
              const { key: _key, url: _url, ...rest } = item as Record<string, unknown>;
              const subfolder = typeof rest.subfolder === 'string' ? rest.subfolder : '';
              return { ...rest, subfolder: executeSubfolder(promptId, subfolder) };
            })
          : value,
      ]),
    );
  }
  return shaped;
}

/** What ComfyUI's history says of how the run went: start (when it ran), then its end. */
function statusMessages(record: ExecuteRecord): RunEvent[] {
  return [...(record.start_time ? startEvents(record) : []), endEvent(record)];
}

/** A finished execute as ComfyUI's `/history/{prompt_id}` shows it. */
export function historyEntry(
  record: ExecuteRecord,
  prompt: PromptGraph,
  outputs: ExecuteOutputs | null,
  outputNodes: string[],
): ComfyHistoryEntry {
  const shaped = comfyOutputs(outputs, record.prompt_id);
  return {
    prompt: queueItem(record, prompt, outputNodes),
    outputs: shaped,
    status: {
      status_str: record.status === 'success' ? 'success' : 'error',
      completed: record.status === 'success',
      messages: statusMessages(record),
    },
    meta: Object.fromEntries(
      Object.keys(shaped).map((node) => [
        node,
        { node_id: node, display_node: node, parent_node: null, real_node_id: node },
      ]),
    ),
  };
}
