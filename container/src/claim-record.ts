import type { RunningRecordView } from '../../lambda/domain/running-record-store';
import type { InvocationDeps, StagedRequest } from './invocation-deps';
import { failed, type InvocationAnswer } from './invocation-result';

export const cancelledAnswer = (promptId: string, message: string): InvocationAnswer => ({
  httpStatus: 200,
  result: { prompt_id: promptId, status: 'cancelled', message },
});

/**
 * Steps 1–2: claim the record, created → running, in one conditional write keyed by the owner
 * and the request's digest the staged request names: only the record this very request created
 * is claimed. A prompt_id deleted and created again (by another key, or with another body) is
 * another execute, and an invocation still queued for the old one must not run in it. A claim
 * that fails (cancelled, deleted, already run, superseded) is explained by a read afterwards.
 */
export async function claim(
  request: StagedRequest,
  deps: InvocationDeps,
): Promise<RunningRecordView | InvocationAnswer> {
  const toRunning = (owner: string) =>
    deps.store.update(
      { prompt_id: request.prompt_id, owner },
      {
        from: ['created'],
        set: { status: 'running', start_time: new Date().toISOString() },
        ...(request.request_hash ? { whileRequestHash: request.request_hash } : {}),
      },
    );
  const claimed = request.owner === undefined ? undefined : await toRunning(request.owner);
  if (claimed) return claimed;
  let now = await deps.store.get(request.prompt_id);
  // A request staged before the owner travelled with it: claimed under the record's own owner.
  if (request.owner === undefined && now?.status === 'created') {
    const running = await toRunning(now.owner);
    if (running) return running;
    now = await deps.store.get(request.prompt_id); // changed in between: answer what it is now
  }
  if (!now) return cancelledAnswer(request.prompt_id, 'the execute no longer exists (deleted); not run');
  const superseded =
    (request.owner !== undefined && now.owner !== request.owner) ||
    (request.request_hash !== undefined && now.request_hash !== request.request_hash);
  // Another execute holds the id now: nothing of it is told (it may be another key's).
  if (superseded)
    return failed(
      request.prompt_id,
      409,
      'the execute this request was staged for no longer exists (its prompt_id names another execute now); not run',
      { type: 'not_runnable', reason: 'superseded' },
    );
  if (now.status === 'cancelled')
    return cancelledAnswer(request.prompt_id, 'cancelled before it started; not run');
  return failed(request.prompt_id, 409, `the execute is already ${now.status}; not run again`, {
    type: 'not_runnable',
    status: now.status,
  });
}
