import type { ComfyEvent } from './comfy-client';
import { type ComfyLineLevel, ComfyLogLines, type LogLineLimits } from './comfy-log-lines';

/**
 * Invocations this process is running. ComfyUI's terminal is one for every prompt on the instance:
 * its lines are forwarded as a prompt's only while that prompt's invocation is the only one here,
 * so that with MaxConcurrentInvocationsPerInstance above 1 another key's "got prompt" or
 * validation lines never land in this prompt's logs (those lines are then not forwarded at all).
 */
let invocationsInFlight = 0;

/** Counts one invocation in; the function returned counts it out (once, however often called). */
export function countInvocation(): () => void {
  invocationsInFlight++;
  let counted = true;
  return () => {
    if (counted) invocationsInFlight--;
    counted = false;
  };
}

const PROMPT_ENDS = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/**
 * ComfyUI's own lines for one prompt (`logs` messages, after PATCH /internal/logs/subscribe): those
 * written between the prompt's `execution_start` and its end, as seen on its own websocket. ComfyUI
 * runs one prompt at a time and sends its terminal's writes on the same queue as its events, so
 * what arrives in that span was written while this prompt ran ("got prompt" comes before it, from
 * the HTTP handler, and "Prompt executed in" after it: neither is taken).
 */
export function comfyLogForwarder(
  promptId: string,
  emit: (line: string, level: ComfyLineLevel) => void,
  limits?: LogLineLimits,
) {
  const lines = new ComfyLogLines(emit, limits);
  let running = false;
  const end = () => {
    if (running) lines.finish();
    running = false;
  };
  return {
    /** Every websocket event of the run's socket, in the order they arrive. */
    onEvent(event: ComfyEvent): void {
      const data = event.data ?? {};
      if (event.type === 'logs') {
        if (running && invocationsInFlight === 1) lines.accept(data.entries);
        return;
      }
      if (data.prompt_id !== promptId) return;
      if (event.type === 'execution_start') running = true;
      else if (PROMPT_ENDS.has(event.type) || (event.type === 'executing' && data.node === null)) end();
    },
    /** The run is over however it ended (a timeout, a lost socket): what is held is forwarded. */
    finish: end,
  };
}
