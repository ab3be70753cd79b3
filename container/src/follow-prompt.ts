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

/** Resolves after `ms`, or as soon as `wake` is called, whichever comes first. */
class Waker {
  private resolve?: () => void;

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  wake(): void {
    this.resolve?.();
  }
}

/** How long ComfyUI may take to write the history of a prompt it reported finished. */
const HISTORY_GRACE_MS = 5_000;

/**
 * Waits for a submitted prompt to finish: websocket events first, /history polling as a
 * fallback, the record polled for cancel_requested (then ComfyUI is interrupted), and a
 * deadline after which the prompt is interrupted and reported as timed out. The last event
 * wakes it at once: no poll interval stands between ComfyUI's end and the history read.
 */
export async function followPrompt(
  comfy: ComfyUiClient,
  options: FollowOptions,
  subscribe: (onEvent: (event: ComfyEvent) => void) => void,
): Promise<FollowOutcome> {
  const times: FollowOutcome['events'] = {};
  const waker = new Waker();
  let over = false;
  subscribe((event) => {
    if (handleEvent(event, options, times)) over = true;
    // Also ComfyUI's `executing` null, sent once the history is written (main.py's prompt_worker).
    waker.wake();
  });
  const deadline = Date.now() + options.timeoutMs;
  let cancelled = false;
  let lastHistory = Date.now();
  let lastCancelCheck = Date.now();
  while (!over) {
    await waker.wait(25);
    if (!over && Date.now() - lastHistory >= options.historyPollMs) {
      lastHistory = Date.now();
      if (await comfy.history(options.promptId)) over = true;
    }
    if (!over && !cancelled && Date.now() - lastCancelCheck >= options.cancelPollMs) {
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
  // ComfyUI sends execution_success before it writes the history (task_done), then `executing`
  // null: ask at once, then again on each event or after a short, growing wait.
  const graceEnds = Date.now() + HISTORY_GRACE_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const entry = await comfy.history(options.promptId);
    if (entry) return { entry, cancelled, timedOut: false, events: times };
    if (Date.now() > graceEnds) break;
    await waker.wait(wait);
  }
  throw new Error(`ComfyUI reported prompt ${options.promptId} finished but /history has no entry for it`);
}
