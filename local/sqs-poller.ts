import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface SqsPollerOptions {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  queueUrl: string;
  queueArn: string;
  invoke(event: SQSEvent): Promise<SQSBatchResponse | undefined>;
  pollMs?: number;
  log(line: string): void;
}

/**
 * Lambda's SQS event source mapping over the local queue: messages received (FIFO: one per
 * group), handed to the function, deleted unless it reported them failed (partial batch
 * responses) or threw; those come back when their visibility ends, as on AWS.
 */
export class SqsPoller {
  private readonly client: SQSClient;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: SqsPollerOptions) {
    this.client = new SQSClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: options.credentials,
    });
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.pollOnce().catch((error: Error) =>
        this.options.log(`queue poll failed: ${error.message}`),
      );
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 100);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.client.destroy();
  }

  private async pollOnce() {
    const { Messages = [] } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    for (const message of Messages) {
      const event: SQSEvent = {
        Records: [
          {
            messageId: message.MessageId!,
            receiptHandle: message.ReceiptHandle!,
            body: message.Body ?? '',
            attributes: message.Attributes as never,
            messageAttributes: {},
            md5OfBody: message.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: this.options.queueArn,
            awsRegion: this.options.region,
          },
        ],
      };
      let keep = false;
      try {
        const response = await this.options.invoke(event);
        keep = (response?.batchItemFailures ?? []).some((f) => f.itemIdentifier === message.MessageId);
      } catch (error) {
        keep = true;
        this.options.log(`queue message ${message.MessageId} failed: ${(error as Error).message}`);
      }
      if (!keep)
        await this.client.send(
          new DeleteMessageCommand({
            QueueUrl: this.options.queueUrl,
            ReceiptHandle: message.ReceiptHandle!,
          }),
        );
    }
  }
}
