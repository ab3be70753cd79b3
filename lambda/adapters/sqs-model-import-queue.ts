import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ModelImportJob, ModelImportQueue } from '../domain/models/model-import';

/** SQS takes ten messages a batch. */
const BATCH = 10;

/**
 * The model imports' FIFO queue: each part its own message group (so parts run side by side),
 * deduplicated by upload and part, and the finishing step deduplicated by upload (two last parts
 * finishing together queue it once).
 */
export class SqsModelImportQueue implements ModelImportQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(jobs: ModelImportJob[]): Promise<void> {
    for (let at = 0; at < jobs.length; at += BATCH) {
      const batch = jobs.slice(at, at + BATCH);
      const entries = batch.map((job, index) => {
        const id = `${job.upload_id}-${job.kind === 'part' ? job.part_number : 'finish'}`;
        // SQS ids allow 128 letters, digits and punctuation: a digest keeps any upload id in bounds.
        const key = createHash('sha256').update(id).digest('hex');
        return {
          Id: String(index),
          MessageBody: JSON.stringify(job),
          MessageGroupId: key,
          MessageDeduplicationId: key,
        };
      });
      const answer = await this.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      const failed = answer.Failed ?? [];
      if (failed.length > 0)
        throw new Error(
          `the model import queue refused ${failed.length} job(s): ${failed[0]?.Message ?? failed[0]?.Code}`,
        );
    }
  }

  /** A failed job comes back after `seconds`, not after the queue's long in-flight time. */
  async retryIn(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
