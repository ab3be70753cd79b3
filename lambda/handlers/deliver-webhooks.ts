import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseExactJson } from '../domain/exact-json';
import type { WebhookDelivery } from '../domain/notification-ports';
import { logger } from '../platform/powertools';
import { traceHandler } from '../platform/tracing';
import { deliverWebhooksDeps } from '../platform/webhook-composition';
import { deliverWebhook } from '../use-cases/deliver-webhook';

/**
 * The webhook queue (FIFO, one message at a time): one attempt per message. A delivery to retry
 * waits out its backoff as the message's visibility and is reported failed (so SQS keeps it, and
 * its execute's later deliveries wait behind it); one given up goes to the dead-letter queue.
 */
export const handler = traceHandler(
  'deliver-webhooks',
  async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) logger.addContext(context);
    const deps = deliverWebhooksDeps();
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      const delivery = parseExactJson(message.body) as WebhookDelivery;
      const attempt = {
        number: Number(message.attributes.ApproximateReceiveCount),
        firstQueuedAt: Number(message.attributes.SentTimestamp),
      };
      const outcome = await deliverWebhook(delivery, attempt, deps);
      logger.info('webhook delivery attempted', { ...delivery, attempt: attempt.number, outcome });
      (await import('../platform/metrics')).webhookAttempted(outcome.kind);
      if (outcome.kind === 'retry') {
        await deps.queue.retryIn(message.receiptHandle, outcome.delaySeconds);
        failures.push({ itemIdentifier: message.messageId });
      }
      if (outcome.kind === 'gave-up') await deps.queue.giveUp(delivery, outcome.error);
    }
    return { batchItemFailures: failures };
  },
);
