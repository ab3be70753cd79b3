import type { ExecuteProgress } from '../../lambda/domain/execute-record';
import type { ComfyEvent, ComfyUiClient, HistoryEntry } from './comfy-client';

export interface FollowOptions {
  promptId: string;
  timeoutMs: number;
  cancelPollMs: number;
  /** Fallback when websocket frames are lost: how often /history is asked. */
  historyPollMs: number;
  onProgress(progress: ExecuteProgress): void;
  /** ComfyUI started running this node (its `executing` message). */
  onNode?(node: string): void;
  /** Asked every cancelPollMs; true once the client asked to cancel. */
  cancelRequested(): Promise<boolean>;
}

export interface FollowOutcome {
  /** The history entry; undefined only on timeout. */
  entry?: HistoryEntry;
  cancelled: boolean;
  timedOut: boolean;
  events: { started?: number; finished?: number };
}

const TERMINAL = new Set(['execution_success', 'execution_error', 'execution_interrupted']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reacts to one websocket event of our prompt; returns true when the prompt is over. */
export function handleEvent(
  event: ComfyEvent,
  options: FollowOptions,
  times: FollowOutcome['events'],
): boolean {
  const data = event.data ?? {};
  if (data.prompt_id !== options.promptId) return false;
  if (event.type === 'execution_start') times.started = Date.now();
  if (
    event.type === 'progress' &&
    typeof data.value === 'number' &&
    typeof data.max === 'number' &&
    data.max > 0
  ) {
    options.onProgress({
      value: data.value,
      max: data.max,
      node: typeof data.node === 'string' ? data.node : null,
      percent: Math.round((data.value / data.max) * 100),
    });
  }
  if (event.type === 'executing' && typeof data.node === 'string') options.onNode?.(data.node);
  const done = TERMINAL.has(event.type) || (event.type === 'executing' && data.node === null);
  if (done) times.finished = Date.now();
  return done;
}

/**
 * Waits for a submitted prompt to finish: websocket events first, /history polling as a
 * fallback, the record polled for cancel_requested (then ComfyUI is interrupted), and a
 * deadline after which the prompt is interrupted and reported as timed out.
 */
export async function followPrompt(
  comfy: ComfyUiClient,
  options: FollowOptions,
  subscribe: (onEvent: (event: ComfyEvent) => void) => void,
): Promise<FollowOutcome> {
  const times: FollowOutcome['events'] = {};
  let over = false;
  subscribe((event) => {
    if (handleEvent(event, options, times)) over = true;
  });
  const deadline = Date.now() + options.timeoutMs;
  let cancelled = false;
  let lastHistory = Date.now();
  let lastCancelCheck = Date.now();
  while (!over) {
    await sleep(25);
    if (!over && Date.now() - lastHistory >= options.historyPollMs) {
      lastHistory = Date.now();
      if (await comfy.history(options.promptId)) over = true;
    }
    if (!cancelled && Date.now() - lastCancelCheck >= options.cancelPollMs) {
      lastCancelCheck = Date.now();
      if (await options.cancelRequested()) {
        cancelled = true;
        await comfy.interrupt(options.promptId);
      }
    }
    if (!over && Date.now() > deadline) {
      await comfy.interrupt(options.promptId);
      return { cancelled, timedOut: true, events: times };
    }
  }
  // History is written as the prompt ends; give it a moment to appear after the last event.
  for (let attempt = 0; attempt < 50; attempt++) {
    const entry = await comfy.history(options.promptId);
    if (entry) return { entry, cancelled, timedOut: false, events: times };
    await sleep(100);
  }
  throw new Error(`ComfyUI reported prompt ${options.promptId} finished but /history has no entry for it`);
}
