import { Aws, Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './stream-reading';

/** The import function's timeout: a part of 64 MiB from a slow host, or hashing a 30 GiB model. */
export const IMPORT_FUNCTION_TIMEOUT = Duration.minutes(15);

/**
 * Models from a URL (POST /models with `source`): a FIFO queue of jobs, one per part (each its
 * own message group, so parts run side by side) and one to finish, read by the import function
 * at most `maxConcurrency` at a time (a source host is not hammered). A job that fails past the
 * function's own attempts ends its import as failed; one that crashes the function every time
 * lands in the dead-letter queue, and an alarm says so.
 */
export class ModelImports extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly alarm: Alarm;
  /** What the functions that import read: the queue, and where gated hosts' tokens are. */
  readonly environment: { MODEL_IMPORT_QUEUE_URL: string; MODEL_SOURCE_TOKEN_PREFIX: string };
  /** `secret:comfy-exec/{stage}/model-sources/*`: one token per host, added by the operator. */
  readonly sourceTokensArn: string;

  constructor(scope: Construct, id: string, props: { stage: string }) {
    super(scope, id);
    const prefix = `comfy-exec/${props.stage}/model-sources/`;
    this.sourceTokensArn = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}*`;
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, fifo: true };
    this.deadLetters = new Queue(this, 'DeadLetters', { ...common, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'Jobs', {
      ...common,
      // At least the function's timeout, as Lambda requires: a job in flight is never handed out twice.
      visibilityTimeout: IMPORT_FUNCTION_TIMEOUT.plus(Duration.minutes(1)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 10 },
    });
    this.environment = { MODEL_IMPORT_QUEUE_URL: this.queue.queueUrl, MODEL_SOURCE_TOKEN_PREFIX: prefix };
    this.alarm = deadLetterAlarm(
      this,
      'JobsCrashed',
      this.deadLetters,
      'Model import jobs crashed the import function repeatedly (their imports may show importing until retried)',
    );
  }

  connect(importFunction: IFunction): void {
    importFunction.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );
  }
}
