// Named imports: the z namespace defeats tree-shaking (zod's whole 450 KB lands in every bundle).
import { looseObject, enum as zEnum, literal as zLiteral, string as zString } from 'zod';
import type { AsyncInvocationOutcome } from '../use-cases/record-async-result';

/** SageMaker's async notification (sagemaker-async.md §4), as carried in `Records[].Sns.Message`. */
const InferenceResultSchema = looseObject({
  eventName: zLiteral('InferenceResult').optional(),
  invocationStatus: zEnum(['Completed', 'Failed']),
  inferenceId: zString().min(1),
  failureReason: zString().optional(),
  eventTime: zString().optional(),
  receivedTime: zString().optional(),
  requestParameters: looseObject({
    endpointName: zString().optional(),
    inputLocation: zString().optional(),
  }).optional(),
  responseParameters: looseObject({
    outputLocation: zString().optional(),
    failureLocation: zString().optional(),
  }).optional(),
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
