import { z } from 'zod';
import type { AsyncInvocationOutcome } from '../use-cases/record-async-result';

/** SageMaker's async notification (sagemaker-async.md §4), as carried in `Records[].Sns.Message`. */
const InferenceResultSchema = z.looseObject({
  eventName: z.literal('InferenceResult').optional(),
  invocationStatus: z.enum(['Completed', 'Failed']),
  inferenceId: z.string().min(1),
  failureReason: z.string().optional(),
  eventTime: z.string().optional(),
  receivedTime: z.string().optional(),
  requestParameters: z
    .looseObject({ endpointName: z.string().optional(), inputLocation: z.string().optional() })
    .optional(),
  responseParameters: z
    .looseObject({ outputLocation: z.string().optional(), failureLocation: z.string().optional() })
    .optional(),
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
  const parsed = InferenceResultSchema.safeParse(json);
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
    },
  };
}
