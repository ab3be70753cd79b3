import type { CollectedOutputs } from './collect-outputs';

/** What /invocations answers; SageMaker stores it as the output (2xx) or failure (non-2xx) object. */
export interface InvocationResult extends Partial<CollectedOutputs> {
  prompt_id: string;
  /** The execute's owner from the staged request, so completion needs no read of the record. */
  owner?: string;
  status: 'success' | 'failed' | 'cancelled';
  message?: string;
  error?: Record<string, unknown>;
  warnings?: Record<string, unknown>;
  start_time?: string;
  complete_time?: string;
  timings?: Record<string, number>;
}

export interface InvocationAnswer {
  httpStatus: number;
  result: InvocationResult;
  /** Work that goes on once the answer is sent (the record's completion); a stop waits for it. */
  afterAnswer?: Promise<void>;
}

const TRACEBACK_TAIL_LINES = 12;

/** The last lines of a Python traceback (ComfyUI sends it as a list of chunks). */
export function tracebackTail(traceback: unknown): string {
  const text = Array.isArray(traceback) ? traceback.join('') : String(traceback ?? '');
  return text.trimEnd().split('\n').slice(-TRACEBACK_TAIL_LINES).join('\n');
}

export function failed(
  promptId: string,
  httpStatus: number,
  message: string,
  error: Record<string, unknown>,
  extra: Partial<InvocationResult> = {},
): InvocationAnswer {
  return { httpStatus, result: { prompt_id: promptId, status: 'failed', message, error, ...extra } };
}
