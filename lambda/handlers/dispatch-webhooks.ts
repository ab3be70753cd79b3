import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { executeChange } from '../adapters/dynamodb-stream-change';
import { logger } from '../platform/powertools';
import { traceHandler } from '../platform/tracing';
import { dispatchWebhooksDeps } from '../platform/webhook-composition';
import { dispatchWebhooks } from '../use-cases/dispatch-webhooks';

/**
 * The executes table's stream, in order: each event an execute's webhook listens to becomes a
 * delivery on the FIFO queue. A failure reports the record it stopped at, so Lambda retries from
 * there (the queue's deduplication absorbs what was already sent).
 */
export const handler = traceHandler(
  'dispatch-webhooks',
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const deps = dispatchWebhooksDeps();
    for (const record of event.Records) {
      try {
        const change = executeChange(record);
        const seconds = record.dynamodb?.ApproximateCreationDateTime;
        const changedAt = seconds ? new Date(seconds * 1000) : undefined;
        const events = await dispatchWebhooks(change.before, change.after, deps, changedAt);
        if (events.length > 0)
          logger.info('webhook deliveries queued', { prompt_id: change.after?.prompt_id, events });
      } catch (error) {
        logger.error('webhook dispatch failed; retried from here', { error: (error as Error).message });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
