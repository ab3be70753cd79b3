import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Longer than a delivery's function timeout (60 s), so an attempt in flight is never handed out twice. */
const IN_FLIGHT = Duration.seconds(90);

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
    this.alarms = [this.deadLetters, this.dispatchDeadLetters].map(
      (queue, index) =>
        new Alarm(this, index === 0 ? 'DeliveriesGivenUp' : 'DispatchFailed', {
          alarmDescription:
            index === 0
              ? 'Webhook deliveries were given up after their retries (receivers down or refusing)'
              : 'Execute changes could not be queued as webhook deliveries',
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
  }

  /** The dispatcher reads the executes table's stream (only changes of executes with a webhook); the deliverer the queue. */
  connect(props: { executesTable: ITable; dispatch: IFunction; deliver: IFunction }): void {
    props.dispatch.addEventSource(
      new DynamoEventSource(props.executesTable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        parallelizationFactor: 1,
        retryAttempts: 5,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(6),
        onFailure: new SqsDlq(this.dispatchDeadLetters),
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
