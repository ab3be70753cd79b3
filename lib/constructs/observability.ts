import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
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
import { ENDED_METRIC, METRICS_NAMESPACE } from '../../lambda/platform/metrics';
import { deadLetterAlarm } from './stream-reading';

export interface ObservabilityProps {
  readonly api: RestApi;
  /** Every SageMaker endpoint of the deployment (one per environment): a backlog line each. */
  readonly endpointNames: readonly string[];
  readonly deadLetterQueue: Queue;
  readonly sweeperLogs: ILogGroup;
  /** The function that turns the executes table's stream into websocket messages, and its DLQ. */
  readonly socketEvents: { function: IFunction; deadLetterQueue: Queue };
  readonly alarmKey: Key;
  /** @default no subscription */
  readonly alarmEmail?: string;
}

const NAMESPACE = METRICS_NAMESPACE;

/** Failed ÷ ended above this, over 3 periods of 5 minutes with at least 5 ends each: the alarm. */
export const FAILURE_RATE_ALARM_PERCENT = 25;
/** The oldest request waiting on an endpoint, in seconds (past a scale-up from zero): the alarm. */
export const QUEUE_AGE_ALARM_SECONDS = 900;

/**
 * A dashboard (API traffic and latency; executes created, ended by outcome, queue and run time and
 * overhead per endpoint, from the functions' EMF lines; webhook and websocket deliveries; endpoint
 * backlog and oldest request; DLQ depth) and alarms on DLQ depth, API 5xx, executes the Sweeper had
 * to fail, the failure rate and the queue's age.
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
    // Published by the functions as EMF (lambda/platform/metrics.ts), once per execute: Powertools
    // adds the `service` dimension to every metric.
    const perEndpoint = (metricName: string, statistic: string) =>
      props.endpointNames.map(
        (endpointName) =>
          new Metric({
            namespace: NAMESPACE,
            metricName,
            dimensionsMap: { service: 'comfy-exec', endpoint_name: endpointName },
            statistic,
            period: Duration.minutes(5),
            ...(props.endpointNames.length > 1 ? { label: `${metricName} ${endpointName}` } : {}),
          }),
      );
    const whole = (metricName: string) =>
      new Metric({
        namespace: NAMESPACE,
        metricName,
        dimensionsMap: { service: 'comfy-exec' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const created = perEndpoint('ExecutesCreated', 'Sum');
    const succeeded = perEndpoint(ENDED_METRIC.success, 'Sum');
    const failed = perEndpoint(ENDED_METRIC.failed, 'Sum');
    const cancelled = perEndpoint(ENDED_METRIC.cancelled, 'Sum');
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
          new GraphWidget({
            title: 'Executes',
            left: [...created, ...succeeded, ...failed, ...cancelled, timedOut],
          }),
          new GraphWidget({
            title: 'Endpoint backlog',
            left: sageMaker('ApproximateBacklogSize'),
            right: sageMaker('ApproximateAgeOfOldestRequest'),
          }),
          new GraphWidget({ title: 'Completion dead-letter queue', left: [dlqDepth] }),
        ],
        [
          new GraphWidget({
            title: 'Queue time (p90), run time and our overhead (p50), ms',
            left: [
              ...perEndpoint('QueueTime', 'p90'),
              ...perEndpoint('RunTime', 'p50'),
              ...perEndpoint('Overhead', 'p50'),
            ],
          }),
          new GraphWidget({ title: 'Output bytes', left: perEndpoint('OutputBytes', 'Sum') }),
          new GraphWidget({
            title: 'Webhooks and websocket messages',
            left: ['WebhooksDelivered', 'WebhookRetries', 'WebhooksGivenUp'].map(whole),
            right: ['SocketMessagesSent', 'SocketConnectionsGone'].map(whole),
          }),
          new GraphWidget({
            title: 'Endpoint instances',
            left: props.endpointNames.map(
              (endpointName) =>
                new Metric({
                  namespace: '/aws/sagemaker/Endpoints',
                  metricName: 'CPUUtilization',
                  dimensionsMap: { EndpointName: endpointName, VariantName: 'AllTraffic' },
                  statistic: 'SampleCount',
                  period: Duration.minutes(1),
                  label: `instances reporting ${endpointName}`,
                }),
            ),
          }),
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
      ...props.endpointNames.map(
        (endpointName, i) =>
          new Alarm(this, `FailureRate${i === 0 ? '' : i}`, {
            alarmDescription: `More than ${FAILURE_RATE_ALARM_PERCENT}% of the executes that ended on ${endpointName} failed (3 periods of 5 minutes with at least 5 ends)`,
            metric: new MathExpression({
              expression: 'IF(s + f >= 5, 100 * f / (s + f), 0)',
              usingMetrics: { s: succeeded[i]!, f: failed[i]! },
              period: Duration.minutes(5),
              label: `failure rate ${endpointName} (%)`,
            }),
            threshold: FAILURE_RATE_ALARM_PERCENT,
            evaluationPeriods: 3,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
      ...sageMaker('ApproximateAgeOfOldestRequest').map(
        (metric, i) =>
          new Alarm(this, `QueueAge${i === 0 ? '' : i}`, {
            alarmDescription: `A request has waited on ${props.endpointNames[i]} for more than ${QUEUE_AGE_ALARM_SECONDS / 60} minutes`,
            metric,
            threshold: QUEUE_AGE_ALARM_SECONDS,
            evaluationPeriods: 3,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
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
