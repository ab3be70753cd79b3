import { type Completion, errorMessage, fileFields, fromCompleted } from '../domain/execute-completion';
import type { ExecuteRecord } from '../domain/execute-record';
import { type ContainerResult, parseContainerResult } from '../domain/execute-result';
import { type ExecuteStatus, isTerminal, statusesThatMayBecome } from '../domain/execute-status';
import type { Clock, ExecuteStore, PayloadStore, RecordChange } from '../domain/ports';
import { withNumbersRecordsKeep } from '../domain/prompt-storage';
import { usageOfFinishing } from '../domain/usage';

/** SageMaker's InferenceResult notification, reduced to what completion needs. */
export interface AsyncInvocationOutcome {
  inferenceId: string;
  completed: boolean;
  outputLocation?: string;
  failureLocation?: string;
  failureReason?: string;
  eventTime?: string;
  receivedTime?: string;
  /** The staged request SageMaker was given (the notification's requestParameters.inputLocation). */
  inputLocation?: string;
}

/** Outcomes that settle nothing, and the warning each is logged with. */
export const IGNORED_NOTIFICATIONS = {
  'unknown-execute': 'notification for an unknown execute',
  'other-invocation': 'notification for an earlier execute under this prompt_id, ignored',
} as const;

export interface RecordAsyncResultDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  clock: Clock;
}

export type RecordAsyncResultOutcome =
  /** `deletedRunCounted`: deleted while it ran; this added the rest of its run to its owner's usage. */
  | { kind: 'unknown-execute'; deletedRunCounted?: boolean }
  /** About an invocation of an earlier execute under this prompt_id: ignored. */
  | { kind: 'other-invocation' }
  /** A failure that came before CreateExecute recorded where SageMaker put it: CreateExecute finishes it. */
  | { kind: 'parked' }
  /** `counted`: this notification added its usage (the container completed it without). */
  | { kind: 'already-final'; status: ExecuteStatus; counted?: boolean }
  | { kind: 'recorded'; status: ExecuteStatus };

function fromFailed(
  result: ContainerResult | undefined,
  failureReason: string,
  failureLocation: string | undefined,
): Completion {
  const message = errorMessage(result) ?? failureReason;
  const error = result?.error ?? { type: 'sagemaker_invocation_failed', message: failureReason };
  const status: ExecuteStatus = result?.status === 'cancelled' ? 'cancelled' : 'failed';
  return {
    status,
    set: {
      ...(result ? fileFields(result, failureLocation) : {}),
      message,
      error: { ...(withNumbersRecordsKeep(error) as object), failure_reason: failureReason },
    },
  };
}

async function readResult(payloads: PayloadStore, location: string | undefined, promptId: string) {
  if (!location) return undefined;
  const text = await payloads.getText(location);
  return text === undefined ? undefined : parseContainerResult(text, promptId);
}

/** A text field SageMaker's answers left in `sagemaker_raw`, when there is one. */
export function rawText(raw: Record<string, unknown>, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type Settled = Exclude<RecordAsyncResultOutcome, { kind: 'recorded' } | { kind: 'parked' }>;

/** The outcome for a record that cannot be completed (gone or already final), else undefined. */
function settled(record: ExecuteRecord | undefined): Settled | undefined {
  if (!record) return { kind: 'unknown-execute' };
  return isTerminal(record.status) ? { kind: 'already-final', status: record.status } : undefined;
}

/** CreateExecute writes `InferenceId` (with the output and failure locations) right after invoking. */
const invocationRecorded = (record: ExecuteRecord) => 'InferenceId' in record.sagemaker_raw;

/** A failure notification is waiting on the record for its failure location. */
export function isParkedFailure(record: ExecuteRecord): boolean {
  return !isTerminal(record.status) && record.sagemaker_raw.invocationStatus === 'Failed';
}

/**
 * SageMaker's failure notification names no failure location, and a fast failure can arrive
 * before CreateExecute has recorded it: the container's message would be lost for a generic
 * "server error (500)". The notice waits on the record instead, written only while the location
 * is still unrecorded, so either CreateExecute's write sees it or this write sees the location.
 */
async function park(record: ExecuteRecord, outcome: AsyncInvocationOutcome, deps: RecordAsyncResultDeps) {
  const notice = {
    invocationStatus: 'Failed',
    ...(outcome.failureReason ? { failureReason: outcome.failureReason } : {}),
    ...(outcome.receivedTime ? { receivedTime: outcome.receivedTime } : {}),
    ...(outcome.eventTime ? { eventTime: outcome.eventTime } : {}),
  };
  const parked = await deps.store.update(record, {
    from: statusesThatMayBecome('failed'),
    set: {},
    mergeSagemakerRaw: notice,
    whileSagemakerRawLacks: 'InferenceId',
  });
  return parked !== undefined;
}

/** Finishes a parked failure once its location is known (or, from the Sweeper, without it). */
export function completeParkedFailure(
  record: ExecuteRecord,
  failureLocation: string | null | undefined,
  deps: RecordAsyncResultDeps,
): Promise<RecordAsyncResultOutcome> {
  const text = (key: string) => rawText(record.sagemaker_raw, key);
  return recordAsyncResult(
    {
      inferenceId: record.prompt_id,
      completed: false,
      failureLocation: failureLocation ?? undefined,
      failureReason: text('failureReason'),
      eventTime: text('eventTime'),
      receivedTime: text('receivedTime'),
    },
    deps,
  );
}

/**
 * OnAsyncResult: one conditional update to the final status. Idempotent and monotonic: a
 * duplicate or late notification finds the record final and changes nothing.
 *
 * The backstop of a 2xx answer: the container has usually written the record as it answered, so
 * the record is read first, and that read is the whole work. Otherwise the result object is
 * read and the record updated, keyed by the owner the container echoed; the record is read again
 * only when the update was refused (final meanwhile, deleted).
 */
export async function recordAsyncResult(
  outcome: AsyncInvocationOutcome,
  deps: RecordAsyncResultDeps,
): Promise<RecordAsyncResultOutcome> {
  const promptId = outcome.inferenceId;
  let failureLocation = outcome.failureLocation;
  // Read first: the container usually completed the record as it answered, and the read says
  // whether this notification is about this record's own invocation at all.
  let record = await deps.store.get(promptId);
  const early = settled(record) ?? otherInvocation(record!, outcome);
  if (early?.kind === 'unknown-execute') return withDeletedRunCounted(early, outcome, deps);
  if (early) return withUsageCounted(early, record, deps);
  if (!outcome.completed && !failureLocation) {
    if (record && !invocationRecorded(record) && !isParkedFailure(record)) {
      if (await park(record, outcome, deps)) return { kind: 'parked' };
      record = await deps.store.get(promptId);
      const late = settled(record) ?? otherInvocation(record!, outcome);
      if (late) return withUsageCounted(late, record, deps);
    }
    failureLocation = record && rawText(record.sagemaker_raw, 'FailureLocation');
  }

  // The record is waiting (not final): an unreadable location throws, and the notification is delivered again.
  const result = await readResult(
    deps.payloads,
    outcome.completed ? outcome.outputLocation : failureLocation,
    promptId,
  );
  const completion = outcome.completed
    ? fromCompleted(result, outcome.outputLocation)
    : fromFailed(
        result,
        outcome.failureReason ?? 'SageMaker reported the invocation as failed without a reason',
        failureLocation,
      );
  const change: RecordChange = {
    from: statusesThatMayBecome(completion.status),
    set: {
      ...completion.set,
      status: completion.status,
      complete_time: outcome.eventTime ?? deps.clock.now().toISOString(),
    },
    mergeSagemakerRaw: {
      invocationStatus: outcome.completed ? 'Completed' : 'Failed',
      ...(outcome.outputLocation ? { OutputLocation: outcome.outputLocation } : {}),
      ...(failureLocation ? { FailureLocation: failureLocation } : {}),
      ...(outcome.failureReason ? { failureReason: outcome.failureReason } : {}),
      ...(outcome.receivedTime ? { receivedTime: outcome.receivedTime } : {}),
      ...(outcome.eventTime ? { eventTime: outcome.eventTime } : {}),
    },
  };

  const recorded: RecordAsyncResultOutcome = { kind: 'recorded', status: completion.status };
  // Its usage is computed from the record each write is conditioned on (claimed meanwhile, say).
  const counted = (base: ExecuteRecord): RecordChange => ({
    ...change,
    usage: usageOfFinishing(base, change.set),
  });
  if (await deps.store.update(record!, counted(record!))) return recorded;
  // Refused: final already, or deleted (and perhaps created again: then not this invocation's).
  const now = await deps.store.get(promptId);
  const late = settled(now) ?? otherInvocation(now!, outcome);
  if (late) return withUsageCounted(late, now, deps);
  if (await deps.store.update(now!, counted(now!))) return recorded;
  const final = await deps.store.get(promptId);
  const after = settled(final);
  if (after) return withUsageCounted(after, final, deps);
  // Only a write racing this one gets here; failing lets the notification be delivered again.
  throw new Error(`execute ${promptId} is not final yet refused its completion; retry the notification`);
}

/**
 * A final record the container completed carries no usage yet: any notification about it counts
 * it (once: the store's write is conditional), so the Sweeper only counts what none did.
 */
async function withUsageCounted<T extends Settled>(
  outcome: T,
  record: ExecuteRecord | undefined,
  deps: RecordAsyncResultDeps,
): Promise<T> {
  if (outcome.kind !== 'already-final' || !record || record.usage_counted) return outcome;
  return { ...outcome, counted: await deps.store.countUsage(record) };
}

/**
 * An execute deleted while it ran was counted to the delete; its run went on until the container
 * saw the delete. The run's own notification adds the rest, from the container's total_ms, once.
 */
async function withDeletedRunCounted(
  outcome: Settled,
  notification: AsyncInvocationOutcome,
  deps: RecordAsyncResultDeps,
): Promise<Settled> {
  if (!notification.inputLocation) return outcome;
  const run = await deps.store.deletedRun(notification.inputLocation);
  if (!run) return outcome;
  const location = notification.completed ? notification.outputLocation : notification.failureLocation;
  const result = await readResult(deps.payloads, location, notification.inferenceId).catch(() => undefined);
  const total = result?.timings?.total_ms;
  if (typeof total !== 'number') return outcome;
  return (await deps.store.settleDeletedRun(run, total))
    ? { kind: 'unknown-execute', deletedRunCounted: true }
    : outcome;
}

/**
 * A notification of an invocation that is not the record's own: the execute it was for was
 * deleted and its prompt_id created again (by another key, or with another body) while it was
 * still queued. It must not settle the new execute.
 */
function otherInvocation(record: ExecuteRecord, outcome: AsyncInvocationOutcome): Settled | undefined {
  return outcome.inputLocation && record.prompt_path && record.prompt_path !== outcome.inputLocation
    ? { kind: 'other-invocation' }
    : undefined;
}
