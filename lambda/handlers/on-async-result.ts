import type { Context, SNSEvent } from 'aws-lambda';
import { parseSageMakerNotification } from '../adapters/sagemaker-notification';
import { recordAsyncResultDeps } from '../platform/composition-root';
import { logger } from '../platform/powertools';
import { recordAsyncResult } from '../use-cases/record-async-result';

/**
 * SNS (SageMaker success and error topics) → one conditional update per notification.
 * Test notifications, unknown ids and late duplicates are logged and dropped; an unreadable
 * message or a failed read/write throws, so Lambda retries it and then parks it in the DLQ.
 */
export async function handler(event: SNSEvent, context?: Context): Promise<void> {
  if (context) logger.addContext(context);
  for (const record of event.Records) {
    const parsed = parseSageMakerNotification(record.Sns.Message);
    if (parsed.kind === 'test') {
      logger.info('SageMaker test notification ignored', { topic: record.Sns.TopicArn });
      continue;
    }
    if (parsed.kind === 'malformed') {
      logger.error('unreadable SageMaker notification', {
        reason: parsed.reason,
        messageId: record.Sns.MessageId,
      });
      throw new Error(`unreadable SageMaker notification ${record.Sns.MessageId}: ${parsed.reason}`);
    }
    logger.appendKeys({ prompt_id: parsed.outcome.inferenceId });
    try {
      const outcome = await recordAsyncResult(parsed.outcome, recordAsyncResultDeps());
      if (outcome.kind === 'unknown-execute')
        logger.warn('notification for an unknown execute', { ...parsed.outcome });
      else
        logger.info('async result handled', {
          ...outcome,
          invocationStatus: parsed.outcome.completed ? 'Completed' : 'Failed',
        });
    } finally {
      logger.removeKeys(['prompt_id']);
    }
  }
}
