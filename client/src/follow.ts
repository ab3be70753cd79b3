import { ExecuteFailedError } from './errors';
import { type Execute, FINAL_STATUSES, type Progress } from './types';

export interface FollowOptions {
  signal?: AbortSignal;
  /** Called whenever the status or progress changes, and once at the end. */
  onProgress?: (update: { execute: Execute; progress: Progress | null }) => void;
  /** Time between GetExecute calls (default 1 s; the first comes after a quarter of it). */
  pollIntervalMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const fingerprint = (execute: Execute) => JSON.stringify([execute.status, execute.progress]);

/**
 * Polls an execute until it is final: resolves with it on `success`, rejects with
 * ExecuteFailedError on `failed` or `cancelled`. Aborting the signal stops following (the execute
 * keeps running: cancelling it is the caller's choice).
 */
export async function followExecute(
  get: (signal?: AbortSignal) => Promise<Execute>,
  options: FollowOptions = {},
): Promise<Execute> {
  const interval = options.pollIntervalMs ?? 1000;
  let seen = '';
  await sleep(interval / 4, options.signal);
  for (;;) {
    const execute = await get(options.signal);
    const now = fingerprint(execute);
    const final = FINAL_STATUSES.includes(execute.status);
    if (now !== seen || final) options.onProgress?.({ execute, progress: execute.progress });
    seen = now;
    if (execute.status === 'success') return execute;
    if (final) throw new ExecuteFailedError(execute);
    await sleep(interval, options.signal);
  }
}
