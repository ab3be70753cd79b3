import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * How the stream-fed functions read a table's stream: in order (one batch per shard at a time),
 * a failure reported at its record and retried from there, bisected, five retries, then the
 * batch to `deadLetters`; records older than `maxRecordAge` are dropped.
 */
export function orderedStreamSource(
  table: ITable,
  options: { deadLetters: IQueue; maxRecordAge: Duration; filters?: FilterCriteria[] },
): DynamoEventSource {
  return new DynamoEventSource(table, {
    startingPosition: StartingPosition.LATEST,
    batchSize: 100,
    parallelizationFactor: 1,
    retryAttempts: 5,
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    maxRecordAge: options.maxRecordAge,
    onFailure: new SqsDlq(options.deadLetters),
    ...(options.filters ? { filters: options.filters } : {}),
  });
}

/** An alarm as soon as anything waits in a dead-letter queue. */
export function deadLetterAlarm(scope: Construct, id: string, queue: IQueue, description: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
