import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type { Clock, ExecuteStore } from '../domain/ports';

/** API Gateway answers a REST request within 29 s: a create cannot hold its caller longer. */
export const MAX_WAIT_SECONDS = 29;

/**
 * Between reads of the record: short at first (the container writes the end as it answers, and
 * small prompts end in well under a second), then at most a second. A read is one GetItem.
 */
export const WAIT_POLL = { firstDelayMs: 25, factor: 1.5, maxDelayMs: 1_000 } as const;

export interface WaitForExecuteDeps {
  store: Pick<ExecuteStore, 'get'>;
  clock: Clock;
  /** Resolves after `ms` (a timer in Lambda; tests advance a fake clock). */
  sleep(ms: number): Promise<void>;
}

export interface WaitOutcome {
  /** True when the execute reached success, failed or cancelled before the deadline. */
  ended: boolean;
  /** The record as last read (the one passed in when it was gone or never re-read). */
  record: ExecuteRecord;
}

/**
 * Reads the execute's record with backoff until it ends or `deadline` (epoch ms) comes: the
 * record is the one source of truth, written by the container and OnAsyncResult, so waiting
 * needs no other signal. The caller owns the record already (create checked it).
 */
export async function waitForExecuteEnd(
  record: ExecuteRecord,
  deadline: number,
  deps: WaitForExecuteDeps,
): Promise<WaitOutcome> {
  let current = record;
  let delay: number = WAIT_POLL.firstDelayMs;
  while (!isTerminal(current.status)) {
    const left = deadline - deps.clock.now().getTime();
    if (left <= 0) return { ended: false, record: current };
    await deps.sleep(Math.min(delay, left));
    delay = Math.min(Math.round(delay * WAIT_POLL.factor), WAIT_POLL.maxDelayMs);
    const read = await deps.store.get(current.prompt_id);
    // Deleted while waited for (DeleteExecutes): the last record read is all there is to show.
    if (!read || read.owner !== record.owner) return { ended: false, record: current };
    current = read;
  }
  return { ended: true, record: current };
}
