import type { ExecuteRecord } from '../execute-record';
import { comfyOutputs } from './history-entry';
import { progressState } from './progress-state';
import { endEvent, type RunEvent, startEvents } from './run-events';

/** One websocket message as ComfyUI sends it: `{type, data}` (shared/docs/comfyui-server-api.md §8). */
export interface ComfySocketMessage {
  type: string;
  data: Record<string, unknown>;
}

/** What the messages are made of: the fields of a record that a stream image carries. */
export type RecordImage = Pick<
  ExecuteRecord,
  | 'prompt_id'
  | 'status'
  | 'start_time'
  | 'complete_time'
  | 'progress'
  | 'current_node'
  | 'started_nodes'
  | 'outputs'
  | 'error'
  | 'message'
>;

/** The node running: the container's `current_node`, or (records without it) the node reporting progress. */
function runningNode(image: RecordImage | undefined): string | null | undefined {
  if (!image) return undefined;
  if (image.current_node) return image.current_node;
  return image.progress?.stage === undefined ? image.progress?.node : undefined;
}

const asMessage = ([type, data]: RunEvent): ComfySocketMessage => ({ type, data });

function ended(after: RecordImage, ranBefore: boolean): ComfySocketMessage[] {
  const id = after.prompt_id;
  const done: ComfySocketMessage = {
    type: 'executing',
    data: { node: null, prompt_id: id },
  };
  // Taken off the queue before it ran: ComfyUI says nothing of it (only the queue size changes).
  if (after.status === 'cancelled' && !ranBefore) return [];
  if (after.status !== 'success') return [asMessage(endEvent(after)), done];
  const outputs = Object.entries(comfyOutputs(after.outputs, id));
  const executed = outputs.map(
    ([node, output]): ComfySocketMessage => ({
      type: 'executed',
      data: { node, display_node: node, output, prompt_id: id },
    }),
  );
  // ComfyUI finishes each node after its `executed`; the last such progress_state has them all.
  const touched = [...new Set([...(after.started_nodes ?? []), ...outputs.map(([node]) => node)])];
  const finished = touched.length > 0 ? [progressState(id, touched, undefined, after.progress)] : [];
  return [...executed, ...finished, asMessage(endEvent(after)), done];
}

/**
 * While it runs: `executing` for each node ComfyUI started since the last write (writes are
 * throttled, so one may carry several), and `progress` after its node's `executing`, each after
 * the `progress_state` ComfyUI sends before it (the node running, those started before it
 * finished). Records without `started_nodes` (older containers) say the running node when it changes.
 */
function runningMessages(before: RecordImage | undefined, after: RecordImage): ComfySocketMessage[] {
  const id = after.prompt_id;
  const messages: ComfySocketMessage[] = [];
  const progress = after.progress;
  const changed = JSON.stringify(progress) !== JSON.stringify(before?.progress ?? null);
  const stepOf = progress?.node && progress.stage === undefined && changed ? progress.node : undefined;
  const order = after.started_nodes ?? [];
  // The nodes ComfyUI had touched when it said this of `node`: those started up to it.
  const touched = (node: string) => {
    const index = order.indexOf(node);
    return index < 0 ? [node] : order.slice(0, index + 1);
  };
  const executing = (node: string) => {
    messages.push(progressState(id, touched(node), { node, value: 0, max: 1 }, progress));
    messages.push({ type: 'executing', data: { node, display_node: node, prompt_id: id } });
  };
  const step = () => {
    messages.push(
      progressState(
        id,
        touched(stepOf!),
        { node: stepOf!, value: progress!.value, max: progress!.max },
        progress,
      ),
    );
    messages.push({
      type: 'progress',
      data: { value: progress!.value, max: progress!.max, prompt_id: id, node: stepOf },
    });
  };
  const started = after.started_nodes?.slice(before?.started_nodes?.length ?? 0);
  if (started) {
    if (stepOf && !started.includes(stepOf)) step();
    for (const node of started) {
      executing(node);
      if (node === stepOf) step();
    }
    return messages;
  }
  // The node the client last heard of; one write may carry a node's steps and a later node.
  let said = runningNode(before);
  if (stepOf) {
    if (stepOf !== said) {
      said = stepOf;
      executing(said);
    }
    step();
  }
  const node = runningNode(after);
  if (node && node !== said) executing(node);
  return messages;
}

/**
 * The messages ComfyUI would have sent its client for one change of an execute, in ComfyUI's
 * order: the claim starts it (`execution_start`, `execution_cached`), each write while it runs
 * says which nodes started and how far the sampler is (`progress_state` then `executing`;
 * `progress_state` then `progress`), the end how it went (`executed` for each output node and a
 * `progress_state` with every node finished, then `execution_success`; or `execution_error` or
 * `execution_interrupted`, whose node ComfyUI never finishes; then `executing` with `node: null`). A failure before the run (the
 * queue's TTL, a refused invocation) still ends the client's wait with `execution_error`.
 * `status` (the queue size) is the sender's to add: it depends on the owner's other executes.
 */
export function socketMessagesFor(before: RecordImage | undefined, after: RecordImage): ComfySocketMessage[] {
  const messages: ComfySocketMessage[] = [];
  const wasRunning = before?.status === 'running';
  // The claim sets start_time once: that write is the start.
  if (after.start_time !== '' && !before?.start_time) messages.push(...startEvents(after).map(asMessage));
  if (after.status === 'running') messages.push(...runningMessages(before, after));
  const finalNow =
    ['success', 'failed', 'cancelled'].includes(after.status) && before?.status !== after.status;
  if (finalNow) messages.push(...ended(after, wasRunning || after.start_time !== ''));
  return messages;
}
