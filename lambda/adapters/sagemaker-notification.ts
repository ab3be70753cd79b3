import * as z from 'zod/mini';
import type { AsyncInvocationOutcome } from '../use-cases/record-async-result';

/** SageMaker's async notification (sagemaker-async.md §4), as carried in `Records[].Sns.Message`. */
const InferenceResultSchema = z.looseObject({
  eventName: z.optional(z.literal('InferenceResult')),
  invocationStatus: z.enum(['Completed', 'Failed']),
  inferenceId: z.string().check(z.minLength(1)),
  failureReason: z.optional(z.string()),
  eventTime: z.optional(z.string()),
  receivedTime: z.optional(z.string()),
  requestParameters: z.optional(
    z.looseObject({
      endpointName: z.optional(z.string()),
      inputLocation: z.optional(z.string()),
    }),
  ),
  responseParameters: z.optional(
    z.looseObject({
      outputLocation: z.optional(z.string()),
      failureLocation: z.optional(z.string()),
    }),
  ),
});

export type ParsedNotification =
  | { kind: 'test' }
  | { kind: 'result'; outcome: AsyncInvocationOutcome; endpointName?: string }
  | { kind: 'malformed'; reason: string };

/** Classifies one SNS message text: a TestNotification, an inference result, or something unreadable. */
export function parseSageMakerNotification(message: string): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { kind: 'malformed', reason: 'the SNS message is not JSON' };
  }
  if (typeof json === 'object' && json !== null) {
    const fields = json as Record<string, unknown>;
    // TestNotification (on endpoint create/update) carries no invocationStatus.
    if (fields.eventName === 'TestNotification' || !('invocationStatus' in fields)) return { kind: 'test' };
  }
  const parsed = z.safeParse(InferenceResultSchema, json);
  if (!parsed.success)
    return { kind: 'malformed', reason: parsed.error.issues.map((i) => i.message).join('; ') };
  const result = parsed.data;
  return {
    kind: 'result',
    endpointName: result.requestParameters?.endpointName,
    outcome: {
      inferenceId: result.inferenceId,
      completed: result.invocationStatus === 'Completed',
      outputLocation: result.responseParameters?.outputLocation,
      failureLocation: result.responseParameters?.failureLocation,
      failureReason: result.failureReason,
      eventTime: result.eventTime,
      receivedTime: result.receivedTime,
      inputLocation: result.requestParameters?.inputLocation,
    },
  };
}
