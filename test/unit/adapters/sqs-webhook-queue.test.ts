import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsWebhookQueue } from '../../../lambda/adapters/sqs-webhook-queue';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

const visibilityAsked = () =>
  sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.VisibilityTimeout);

describe('SqsWebhookQueue.retryIn', () => {
  it('asks for the backoff as the message visibility', async () => {
    await new SqsWebhookQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.example/q.fifo').retryIn(
      'receipt',
      640,
    );
    expect(visibilityAsked()).toEqual([640]);
  });

  it('stays under SQS 12 hours counted from the receive, which SQS refuses to reach', async () => {
    const queue = new SqsWebhookQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs.example/q.fifo');
    await queue.retryIn('receipt', 12 * 3600);
    await queue.retryIn('receipt', 48 * 3600);
    const [whole, longer] = visibilityAsked();
    expect(whole).toBeLessThan(12 * 3600 - 60);
    expect(longer).toBe(whole);
  });
});
