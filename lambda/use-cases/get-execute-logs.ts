import type { Clock, ExecuteStore, LogLine, LogSearch } from '../domain/ports';
import { findOwnedExecute } from './get-execute';

export interface GetExecuteLogsDeps {
  store: ExecuteStore;
  logs: LogSearch;
  clock: Clock;
}

const MARGIN_MS = 60_000;
/** A run cannot outlast SageMaker's 1 h invocation limit; the window never grows past it. */
const LONGEST_RUN_MS = 3_600_000;

/**
 * GetExecuteLogs: the endpoint's log lines that carry the prompt_id, over the run's time window.
 * Before the run starts there is nothing to show: an empty list (ESD answered 400 there).
 */
export async function getExecuteLogs(
  promptId: string,
  owner: string,
  deps: GetExecuteLogsDeps,
): Promise<{ results: LogLine[]; complete: boolean }> {
  const record = await findOwnedExecute(deps.store, promptId, owner);
  if (record.start_time === '') return { results: [], complete: true };
  const start = new Date(record.start_time).getTime();
  const end = record.complete_time ? new Date(record.complete_time).getTime() : deps.clock.now().getTime();
  const { lines, complete } = await deps.logs.search({
    endpointName: record.endpoint_name,
    promptId,
    from: new Date(start - MARGIN_MS),
    to: new Date(Math.min(end, start + LONGEST_RUN_MS) + MARGIN_MS),
  });
  return { results: lines, complete };
}
