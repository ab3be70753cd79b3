import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm, orderedStreamSource } from './stream-reading';

/**
 * Six times a delivery's function timeout (60 s), as Lambda's SQS guide recommends: an attempt in
 * flight is never handed out twice, and a batch Lambda could not start (throttled) still has time
 * to be retried before the message shows again. Our own retries set their own visibility.
 */
const IN_FLIGHT = Duration.seconds(360);

/**
 * Signed webhooks' queues (issue 18): deliveries wait on an SQS FIFO queue (one group per
 * execute: its deliveries in order, a retried one holding the next back; deduplicated by the
 * delivery's id), retries wait out their backoff as the message's visibility, and a delivery
 * given up lands in a FIFO dead-letter queue with its reason. An alarm watches both DLQs.
 */
export class WebhookDelivery extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  /** Stream batches the dispatcher could not queue after its retries. */
  readonly dispatchDeadLetters: Queue;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.deadLetters = new Queue(this, 'DeadLetters', {
      ...common,
      fifo: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Deliveries', {
      ...common,
      fifo: true,
      visibilityTimeout: IN_FLIGHT,
      // Past the retry window (a day) with room to spare.
      retentionPeriod: Duration.days(4),
      // The function gives up by itself at the window's end; this only catches a delivery that
      // crashes the function every time.
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 100 },
    });
    this.dispatchDeadLetters = new Queue(this, 'DispatchDeadLetters', {
      ...common,
      retentionPeriod: Duration.days(14),
    });
    this.alarms = [
      deadLetterAlarm(
        this,
        'DeliveriesGivenUp',
        this.deadLetters,
        'Webhook deliveries were given up after their retries (receivers down or refusing)',
      ),
      deadLetterAlarm(
        this,
        'DispatchFailed',
        this.dispatchDeadLetters,
        'Execute changes could not be queued as webhook deliveries',
      ),
    ];
  }

  /** The dispatcher reads the executes table's stream (only changes of executes with a webhook); the deliverer the queue. */
  connect(props: { executesTable: ITable; dispatch: IFunction; deliver: IFunction }): void {
    props.dispatch.addEventSource(
      orderedStreamSource(props.executesTable, {
        deadLetters: this.dispatchDeadLetters,
        maxRecordAge: Duration.hours(6),
        // Executes without a webhook never wake the function.
        filters: [
          FilterCriteria.filter({
            dynamodb: { NewImage: { webhook: { M: { url: { S: FilterRule.exists() } } } } },
          }),
        ],
      }),
    );
    props.deliver.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );
  }
}
