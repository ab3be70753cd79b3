import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';

/** SageMaker's TestNotification, published to both topics when an endpoint is created or updated. */
export const TEST_NOTIFICATION = {
  eventVersion: '1.0',
  eventSource: 'aws:sagemaker',
  eventName: 'TestNotification',
};

export interface ResultNotificationInput {
  region: string;
  endpointName: string;
  inferenceId: string;
  receivedTime: Date;
  request: { contentType?: string; accept?: string; customAttributes?: string; inputLocation?: string };
  outcome:
    | { completed: true; contentType: string; outputLocation: string }
    | { completed: false; failureReason: string };
}

/** The InferenceResult message (sagemaker-async.md §4.1–4.2); `requestParameters` echoes only what was set. */
export function resultNotification(input: ResultNotificationInput): Record<string, unknown> {
  const requestParameters = Object.fromEntries(
    Object.entries({ ...input.request, endpointName: input.endpointName }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return {
    awsRegion: input.region,
    eventTime: new Date().toISOString(),
    receivedTime: input.receivedTime.toISOString(),
    invocationStatus: input.outcome.completed ? 'Completed' : 'Failed',
    ...(input.outcome.completed ? {} : { failureReason: input.outcome.failureReason }),
    requestParameters,
    ...(input.outcome.completed
      ? {
          responseParameters: {
            contentType: input.outcome.contentType,
            outputLocation: input.outcome.outputLocation,
          },
        }
      : {}),
    inferenceId: input.inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
  };
}

/** SNS's Lambda event around one message (sagemaker-async.md §4.4). */
export function snsLambdaEvent(topicArn: string, message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.local/cert.pem',
          UnsubscribeUrl: 'https://sns.local/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
