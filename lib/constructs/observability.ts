import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './stream-reading';

export interface ObservabilityProps {
  readonly api: RestApi;
  /** Every SageMaker endpoint of the deployment (one per environment): a backlog line each. */
  readonly endpointNames: readonly string[];
  readonly deadLetterQueue: Queue;
  readonly createLogs: ILogGroup;
  readonly onAsyncResultLogs: ILogGroup;
  readonly sweeperLogs: ILogGroup;
  /** The function that turns the executes table's stream into websocket messages, and its DLQ. */
  readonly socketEvents: { function: IFunction; deadLetterQueue: Queue };
  readonly alarmKey: Key;
  /** @default no subscription */
  readonly alarmEmail?: string;
}

const NAMESPACE = 'ComfyExec';

/**
 * A dashboard (API traffic and latency, executes created/succeeded/failed, endpoint backlog and
 * oldest request, DLQ depth) and alarms on DLQ depth, API 5xx and executes the Sweeper had to fail.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const counter = (name: string, logGroup: ILogGroup, pattern: string, value = '1') =>
      new MetricFilter(this, name, {
        logGroup,
        metricNamespace: NAMESPACE,
        metricName: name,
        filterPattern: FilterPattern.literal(pattern),
        metricValue: value,
      }).metric({
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const created = counter('ExecutesCreated', props.createLogs, '{ $.message = "execute created" }');
    const succeeded = counter(
      'ExecutesSucceeded',
      props.onAsyncResultLogs,
      '{ $.message = "async result handled" && $.status = "success" }',
    );
    const failed = counter(
      'ExecutesFailed',
      props.onAsyncResultLogs,
      '{ $.message = "async result handled" && $.status = "failed" }',
    );
    const timedOut = counter(
      'ExecutesTimedOut',
      props.sweeperLogs,
      '{ $.message = "sweeper settled executes" }',
      '$.timed_out_count',
    );
    const sageMaker = (metricName: string, statistic = 'Maximum') =>
      props.endpointNames.map(
        (endpointName) =>
          new Metric({
            namespace: 'AWS/SageMaker',
            metricName,
            dimensionsMap: { EndpointName: endpointName },
            statistic,
            period: Duration.minutes(1),
            ...(props.endpointNames.length > 1 ? { label: `${metricName} ${endpointName}` } : {}),
          }),
      );
    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'API requests and errors',
            left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()],
          }),
          new GraphWidget({
            title: 'API latency (p50, p99)',
            left: [
              props.api.metricLatency({ statistic: 'p50' }),
              props.api.metricLatency({ statistic: 'p99' }),
            ],
          }),
        ],
        [
          new GraphWidget({ title: 'Executes', left: [created, succeeded, failed, timedOut] }),
          new GraphWidget({
            title: 'Endpoint backlog',
            left: sageMaker('ApproximateBacklogSize'),
            right: sageMaker('ApproximateAgeOfOldestRequest'),
          }),
          new GraphWidget({ title: 'Completion dead-letter queue', left: [dlqDepth] }),
        ],
      ],
    });

    this.alarmTopic = new Topic(this, 'Alarms', {
      masterKey: props.alarmKey,
      enforceSSL: true,
      displayName: 'comfy-exec alarms',
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarms = [
      new Alarm(this, 'DeadLetters', {
        alarmDescription:
          'SageMaker notifications OnAsyncResult could not handle are waiting in the dead-letter queue',
        metric: dlqDepth,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ApiServerErrors', {
        alarmDescription: 'The API answered 5xx',
        metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      deadLetterAlarm(
        this,
        'SocketEventDeadLetters',
        props.socketEvents.deadLetterQueue,
        'Execute changes the websocket function could not tell clients are in its dead-letter queue',
      ),
      new Alarm(this, 'SocketEventsBehind', {
        alarmDescription: 'Websocket messages lag the executes table by more than a minute',
        metric: new Metric({
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensionsMap: { FunctionName: props.socketEvents.function.functionName },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 60_000,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'StuckExecutes', {
        alarmDescription: 'The Sweeper failed executes SageMaker never answered (stuck past their deadline)',
        metric: timedOut,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
  }
}
