import { MAX_RECORDED_OUTPUTS_BYTES } from './execute-outputs';
import type { ContainerResult } from './execute-result';
import type { ExecuteStatus } from './execute-status';
import type { RecordChange } from './ports';
import { holdsNumberRecordsCannotKeep, withNumbersRecordsKeep } from './prompt-storage';

/**
 * What a finished execute's record says, from the container's answer. OnAsyncResult (from the
 * object SageMaker stored) and the container itself (from the answer it is sending) build it
 * here, so whichever writes first writes the same record.
 */
export interface Completion {
  status: ExecuteStatus;
  set: RecordChange['set'];
}

/** Whether outputs may be kept in the item: small enough, and holding no number it cannot keep. */
function fitsRecord(outputs: NonNullable<ContainerResult['outputs']>): boolean {
  return (
    Buffer.byteLength(JSON.stringify(outputs)) <= MAX_RECORDED_OUTPUTS_BYTES &&
    // A node may report any number; one DynamoDB cannot keep stays in the result object.
    !holdsNumberRecordsCannotKeep(outputs)
  );
}

/** What the run produced; outputs too large for the item are left in the result object and pointed to. */
export function fileFields(result: ContainerResult, resultLocation: string | undefined): RecordChange['set'] {
  const outputs = result.outputs ?? null;
  const tooLarge = outputs !== null && resultLocation !== undefined && !fitsRecord(outputs);
  return {
    output_path: result.output_path,
    output_files: result.output_files,
    temp_path: result.temp_path,
    temp_files: result.temp_files,
    timings: result.timings ?? null,
    output_bytes: result.output_bytes ?? 0,
    ...(tooLarge ? { outputs: null, outputs_location: resultLocation } : { outputs }),
  };
}

export function errorMessage(result: ContainerResult | undefined): string | undefined {
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
export function fromCompleted(
  result: ContainerResult | undefined,
  outputLocation: string | undefined,
): Completion {
  if (!result) {
    const reason = `the container answered 2xx but ${outputLocation ?? 'the output object'} holds no readable result`;
    return {
      status: 'failed',
      set: { message: reason, error: { type: 'unreadable_result', message: reason } },
    };
  }
  if (result.status === 'success')
    return {
      status: 'success',
      set: { ...fileFields(result, outputLocation), message: skippedOutputsMessage(result) },
    };
  const message = errorMessage(result) ?? `the container reported ${result.status}`;
  return {
    status: result.status,
    set: {
      ...fileFields(result, outputLocation),
      message,
      error: withNumbersRecordsKeep(result.error ?? null) as Record<string, unknown> | null,
    },
  };
}

/**
 * The change the container makes when its answer is a 2xx, or undefined when the record is left
 * to the notification: outputs too large for the item, or holding numbers it cannot keep, are
 * pointed to in the result object, whose location only SageMaker's notification names.
 */
export function containerCompletion(result: ContainerResult, completeTime: string): RecordChange | undefined {
  if (result.outputs !== undefined && !fitsRecord(result.outputs)) return undefined;
  const completion = fromCompleted(result, undefined);
  // Only the run it claimed: a record no longer running was settled by someone else, who won.
  return {
    from: ['running'],
    set: { ...completion.set, status: completion.status, complete_time: completeTime },
  };
}
