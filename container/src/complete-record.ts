import { exactJsonText } from '../../lambda/domain/exact-json';
import { containerCompletion } from '../../lambda/domain/execute-completion';
import { parseContainerResult } from '../../lambda/domain/execute-result';
import type { RecordKey } from '../../lambda/domain/ports';
import type { InvocationDeps } from './invocation-deps';
import type { InvocationAnswer } from './invocation-result';

/**
 * The record's end, written by the container as it answers, so a client sees it without waiting
 * for SageMaker's output object, its notification and OnAsyncResult. That path stays as the
 * backstop: it settles whatever this write could not (a non-2xx answer, outputs the item cannot
 * hold, a failed write, a container gone before writing). Exactly one write wins: this one only
 * moves a record from `running`, OnAsyncResult's only from unfinished, and the loser changes
 * nothing. The record is built from the answer as SageMaker stores it (its JSON, parsed as
 * OnAsyncResult parses it), so whichever wins writes the same record. Never throws.
 */
export async function completeRecord(
  claimed: RecordKey,
  answer: InvocationAnswer,
  deps: Pick<InvocationDeps, 'store' | 'log'>,
): Promise<void> {
  if (answer.httpStatus < 200 || answer.httpStatus >= 300) return;
  const stored = parseContainerResult(exactJsonText(answer.result), claimed.prompt_id);
  const change =
    stored && containerCompletion(stored, answer.result.complete_time ?? new Date().toISOString());
  if (!change) {
    deps.log.info('record left to the notification: its outputs are kept in the result object only');
    return;
  }
  const started = Date.now();
  try {
    const written = await deps.store.complete(claimed, change);
    const fields = { status: change.set.status, write_ms: Date.now() - started };
    if (written) deps.log.info('record completed by the container', fields);
    else
      deps.log.info("record already settled elsewhere; the container's completion changed nothing", fields);
  } catch (error) {
    deps.log.warn('completion not written; the notification will complete the record', {
      error: String(error),
    });
  }
}
