import type { RunningRecordView } from '../../lambda/domain/running-record-store';
import type { InvocationDeps, StagedRequest } from './invocation-deps';
import { failed, type InvocationAnswer } from './invocation-result';

export const cancelledAnswer = (promptId: string, message: string): InvocationAnswer => ({
  httpStatus: 200,
  result: { prompt_id: promptId, status: 'cancelled', message },
});

/**
 * Steps 1–2: claim the record, created → running, in one conditional write when the staged
 * request names the owner; a claim that fails (cancelled, deleted, already run) is explained by a
 * read afterwards.
 */
export async function claim(
  request: StagedRequest,
  deps: InvocationDeps,
): Promise<RunningRecordView | InvocationAnswer> {
  const toRunning = (owner: string) =>
    deps.store.update(
      { prompt_id: request.prompt_id, owner },
      { from: ['created'], set: { status: 'running', start_time: new Date().toISOString() } },
    );
  const claimed = request.owner === undefined ? undefined : await toRunning(request.owner);
  if (claimed) return claimed;
  let now = await deps.store.get(request.prompt_id);
  // No owner staged (an older request), or not the record's: claim with the record's own.
  if (now?.status === 'created' && now.owner !== request.owner) {
    const running = await toRunning(now.owner);
    if (running) return running;
    now = await deps.store.get(request.prompt_id); // changed in between: answer what it is now
  }
  if (!now) return cancelledAnswer(request.prompt_id, 'the execute no longer exists (deleted); not run');
  if (now.status === 'cancelled')
    return cancelledAnswer(request.prompt_id, 'cancelled before it started; not run');
  return failed(request.prompt_id, 409, `the execute is already ${now.status}; not run again`, {
    type: 'not_runnable',
    status: now.status,
  });
}
