import type { ExecuteRecord } from '../domain/execute-record';
import { type ContainerResult, parseContainerResult } from '../domain/execute-result';
import { type ExecuteStatus, isTerminal, statusesThatMayBecome } from '../domain/execute-status';
import type { Clock, ExecuteStore, PayloadStore, RecordChange } from '../domain/ports';

/** SageMaker's InferenceResult notification, reduced to what completion needs. */
export interface AsyncInvocationOutcome {
  inferenceId: string;
  completed: boolean;
  outputLocation?: string;
  failureLocation?: string;
  failureReason?: string;
  eventTime?: string;
  receivedTime?: string;
}

export interface RecordAsyncResultDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  clock: Clock;
}

export type RecordAsyncResultOutcome =
  | { kind: 'unknown-execute' }
  | { kind: 'already-final'; status: ExecuteStatus }
  | { kind: 'recorded'; status: ExecuteStatus };

interface Completion {
  status: ExecuteStatus;
  set: RecordChange['set'];
}

function fileFields(result: ContainerResult): RecordChange['set'] {
  return {
    output_path: result.output_path,
    output_files: result.output_files,
    temp_path: result.temp_path,
    temp_files: result.temp_files,
  };
}

function errorMessage(result: ContainerResult | undefined): string | undefined {
  const message = result?.error?.message;
  return result?.message || (typeof message === 'string' ? message : undefined);
}

/**
 * ComfyUI runs the output nodes that validate and skips the others, answering 200 with their
 * node_errors; the container passes them on as `warnings`. A success must say so.
 */
function skippedOutputsMessage(result: ContainerResult): string {
  const nodeErrors = (
    result.warnings as
      | {
          node_errors?: Record<
            string,
            {
              class_type?: string;
              errors?: { message?: string; details?: string }[];
              dependent_outputs?: string[];
            }
          >;
        }
      | undefined
  )?.node_errors;
  if (!nodeErrors || Object.keys(nodeErrors).length === 0) return '';
  const skipped = [...new Set(Object.values(nodeErrors).flatMap((entry) => entry.dependent_outputs ?? []))];
  const causes = Object.entries(nodeErrors).map(([id, entry]) => {
    const first = entry.errors?.[0];
    return `${entry.class_type ?? 'node'} (node ${id}): ${first?.message ?? 'invalid'}${first?.details ? `: ${first.details}` : ''}`;
  });
  return `ComfyUI skipped output node${skipped.length === 1 ? '' : 's'} ${skipped.join(', ')} whose inputs failed validation: ${causes.join('; ')}`;
}

/** A 2xx answer: trust its body's status, never the HTTP code alone (ESD's containers answered 200 on failure). */
function fromCompleted(result: ContainerResult | undefined, outputLocation: string | undefined): Completion {
  if (!result) {
    const reason = `the container answered 2xx but ${outputLocation ?? 'the output object'} holds no readable result`;
    return {
      status: 'failed',
      set: { message: reason, error: { type: 'unreadable_result', message: reason } },
    };
  }
  if (result.status === 'success')
    return { status: 'success', set: { ...fileFields(result), message: skippedOutputsMessage(result) } };
  const message = errorMessage(result) ?? `the container reported ${result.status}`;
  return { status: result.status, set: { ...fileFields(result), message, error: result.error ?? null } };
}

function fromFailed(result: ContainerResult | undefined, failureReason: string): Completion {
  const message = errorMessage(result) ?? failureReason;
  const error = result?.error ?? { type: 'sagemaker_invocation_failed', message: failureReason };
  const status: ExecuteStatus = result?.status === 'cancelled' ? 'cancelled' : 'failed';
  return {
    status,
    set: {
      ...(result ? fileFields(result) : {}),
      message,
      error: { ...error, failure_reason: failureReason },
    },
  };
}

async function readResult(payloads: PayloadStore, location: string | undefined, promptId: string) {
  if (!location) return undefined;
  const text = await payloads.getText(location);
  return text === undefined ? undefined : parseContainerResult(text, promptId);
}

function storedFailureLocation(record: ExecuteRecord): string | undefined {
  const location = record.sagemaker_raw.FailureLocation;
  return typeof location === 'string' && location !== '' ? location : undefined;
}

/**
 * OnAsyncResult: one conditional update to the final status. Idempotent and monotonic: a
 * duplicate or late notification finds the record final and changes nothing.
 */
export async function recordAsyncResult(
  outcome: AsyncInvocationOutcome,
  deps: RecordAsyncResultDeps,
): Promise<RecordAsyncResultOutcome> {
  const record = await deps.store.get(outcome.inferenceId);
  if (!record) return { kind: 'unknown-execute' };
  if (isTerminal(record.status)) return { kind: 'already-final', status: record.status };

  const failureLocation = outcome.failureLocation ?? storedFailureLocation(record);
  const completion = outcome.completed
    ? fromCompleted(
        await readResult(deps.payloads, outcome.outputLocation, record.prompt_id),
        outcome.outputLocation,
      )
    : fromFailed(
        await readResult(deps.payloads, failureLocation, record.prompt_id),
        outcome.failureReason ?? 'SageMaker reported the invocation as failed without a reason',
      );

  const updated = await deps.store.update(record, {
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
  });
  if (!updated) {
    const now = await deps.store.get(record.prompt_id);
    return now ? { kind: 'already-final', status: now.status } : { kind: 'unknown-execute' };
  }
  return { kind: 'recorded', status: completion.status };
}
