import type { Context, SNSEvent } from 'aws-lambda';
import { parseSageMakerNotification } from '../adapters/sagemaker-notification';
import { recordAsyncResultDeps } from '../platform/composition-root';
import { logger } from '../platform/powertools';
import { annotate, traceHandler } from '../platform/tracing';
import { IGNORED_NOTIFICATIONS, recordAsyncResult } from '../use-cases/record-async-result';

/**
 * SNS (SageMaker's topics) → one conditional update per notification. Test notifications, unknown ids
 * and late duplicates are logged and dropped; anything unreadable or failing throws (Lambda retries, then the DLQ).
 */
export const handler = traceHandler('on-async-result', async (event: SNSEvent, context?: Context) => {
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
      const id = parsed.outcome.inferenceId;
      annotate({ prompt_id: id, status: 'status' in outcome ? outcome.status : outcome.kind });
      const ignored = IGNORED_NOTIFICATIONS[outcome.kind as keyof typeof IGNORED_NOTIFICATIONS];
      if (ignored) logger.warn(ignored, { ...parsed.outcome });
      else
        logger.info('async result handled', {
          ...outcome,
          invocationStatus: parsed.outcome.completed ? 'Completed' : 'Failed',
        });
    } finally {
      logger.removeKeys(['prompt_id']);
    }
  }
});
