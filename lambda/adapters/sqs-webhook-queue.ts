import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { exactJsonText } from '../domain/exact-json';
import type { WebhookDelivery, WebhookQueue } from '../domain/notification-ports';

/** Under SQS's 12-hour ceiling by more than a delivery function's run (60 s) since the receive. */
const MAX_VISIBILITY_SECONDS = 12 * 3600 - 300;

/**
 * Webhook deliveries on an SQS FIFO queue: one message group per execute (its deliveries in order,
 * a retried one holding back the next), deduplicated by the delivery's id. Retries wait by the
 * message's visibility; a delivery given up goes to the (FIFO) dead-letter queue with its reason.
 */
export class SqsWebhookQueue implements WebhookQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterUrl?: string,
  ) {}

  async enqueue(delivery: WebhookDelivery): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: exactJsonText(delivery),
        MessageGroupId: delivery.prompt_id,
        MessageDeduplicationId: delivery.webhook_id,
      }),
    );
  }

  /**
   * The message comes back after `seconds`. SQS counts its 12-hour ceiling from the receive, so a
   * request for the whole 12 hours would be refused: stay a few minutes under it.
   */
  async retryIn(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(seconds, MAX_VISIBILITY_SECONDS),
      }),
    );
  }

  async giveUp(delivery: WebhookDelivery, reason: string): Promise<void> {
    if (!this.deadLetterUrl) throw new Error('no dead-letter queue configured');
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterUrl,
        MessageBody: exactJsonText({ ...delivery, reason }),
        MessageGroupId: delivery.prompt_id,
        MessageDeduplicationId: delivery.webhook_id,
      }),
    );
  }
}
