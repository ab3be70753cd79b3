import { Aws, Duration, Fn, Stack, TimeZone } from 'aws-cdk-lib';
import {
  AdjustmentType,
  ScalableTarget,
  Schedule,
  ServiceNamespace,
} from 'aws-cdk-lib/aws-applicationautoscaling';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { endpointRoleStatements } from './endpoint-role-statements';
import { PAYLOAD_PREFIXES } from './payload-bucket';

export interface AsyncEndpointProps {
  readonly endpointName: string;
  /** The endpoint container image (container/Dockerfile). */
  readonly imageUri: string;
  /** The ECR repository the image comes from, when it is the stack's own asset (pull is granted). */
  readonly imageRepository?: IRepository;
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly maxConcurrentInvocationsPerInstance: number;
  readonly table: ITable;
  readonly bucket: IBucket;
  readonly successTopic: ITopic;
  readonly errorTopic: ITopic;
  readonly topicKey: IKey;
  /** s3:// URL of a tar.gz with ComfyUI's models folder layout. @default no model artifact */
  readonly modelDataUrl?: string;
  /** @default 5 — backlog per instance that target tracking aims for */
  readonly targetBacklogPerInstance?: number;
  /** Buckets whose objects executes may name as inputs (read by the container). @default none */
  readonly inputBuckets?: readonly string[];
  /** Disk the container may fill with library models before evicting. @default 100 GiB */
  readonly modelCacheBytes?: number;
  /**
   * Scheduled minimum/maximum instances (Application Auto Scaling scheduled actions): e.g. one
   * instance kept warm in working hours, zero at night. @default none
   */
  readonly schedules?: readonly EndpointSchedule[];
  /**
   * The environment's models are fetched at start-up (the instance is healthy only then): the
   * s3:// ones outside the library, which the role may read. Set (even empty) when the
   * environment has models. @default none
   */
  readonly environmentModelSources?: readonly string[];
}

export interface EndpointSchedule {
  /** `cron(minutes hours day-of-month month day-of-week year)`. */
  readonly cron: string;
  /** IANA time zone. @default UTC */
  readonly timezone?: string;
  readonly minInstances?: number;
  readonly maxInstances?: number;
}

/** `account.dkr.ecr.region.amazonaws.com/repo:tag` → the repository ARN, for pull permissions. */
function ecrRepositoryArn(imageUri: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(imageUri);
  return match ? `arn:${Aws.PARTITION}:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
}

/**
 * The SageMaker asynchronous endpoint: model (container + role), endpoint config with
 * AsyncInferenceConfig (S3 output and failure paths, success/error topics, concurrency per
 * instance), the endpoint, and autoscaling to and from zero: target tracking on
 * ApproximateBacklogSizePerInstance plus a step policy woken by HasBacklogWithoutCapacity.
 */
export class AsyncEndpoint extends Construct {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly endpointConfigArn: string;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: AsyncEndpointProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const repositoryArn = props.imageRepository?.repositoryArn ?? ecrRepositoryArn(props.imageUri);
    this.role = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
    });
    // A pure function of ARNs, so the local stack holds its container to the very same statements.
    const statements = endpointRoleStatements({
      endpointName: props.endpointName,
      bucketArn: props.bucket.bucketArn,
      tableArn: props.table.tableArn,
      successTopicArn: props.successTopic.topicArn,
      errorTopicArn: props.errorTopic.topicArn,
      topicKeyArn: props.topicKey.keyArn,
      ...(props.inputBuckets ? { inputBuckets: props.inputBuckets } : {}),
      ...(repositoryArn ? { repositoryArn } : {}),
      ...(props.modelDataUrl ? { modelDataUrl: props.modelDataUrl } : {}),
      ...(props.environmentModelSources?.length
        ? { environmentModelSources: props.environmentModelSources }
        : {}),
    });
    for (const statement of statements) this.role.addToPolicy(statement);

    const model = new CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: props.imageUri,
        ...(props.modelDataUrl ? { modelDataUrl: props.modelDataUrl } : {}),
        environment: {
          TABLE_NAME: props.table.tableName,
          BUCKET_NAME: props.bucket.bucketName,
          ENDPOINT_NAME: props.endpointName,
          AWS_REGION: Aws.REGION,
          MODEL_CACHE_BYTES: String(props.modelCacheBytes ?? 100 * 1024 ** 3),
        },
      },
    });
    model.node.addDependency(this.role);
    const config = new CfnEndpointConfig(this, 'Config', {
      productionVariants: [
        {
          variantName: 'AllTraffic',
          modelName: model.attrModelName,
          instanceType: props.instanceType,
          initialInstanceCount: Math.max(1, props.minInstances),
          initialVariantWeight: 1,
          // SageMaker's most (an hour) when the instance first fetches its environment's models.
          containerStartupHealthCheckTimeoutInSeconds:
            props.environmentModelSources !== undefined ? 3600 : 900,
        },
      ],
      asyncInferenceConfig: {
        outputConfig: {
          s3OutputPath: props.bucket.s3UrlForObject(`${PAYLOAD_PREFIXES.asyncInference}outputs`),
          s3FailurePath: props.bucket.s3UrlForObject(`${PAYLOAD_PREFIXES.asyncInference}failures`),
          notificationConfig: {
            successTopic: props.successTopic.topicArn,
            errorTopic: props.errorTopic.topicArn,
          },
        },
        clientConfig: { maxConcurrentInvocationsPerInstance: props.maxConcurrentInvocationsPerInstance },
      },
    });
    const endpoint = new CfnEndpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });
    this.endpointName = endpoint.attrEndpointName;
    this.endpointArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'endpoint',
      resourceName: props.endpointName.toLowerCase(),
    });
    this.endpointConfigArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'endpoint-config',
      resourceName: Fn.join('', [config.attrEndpointConfigName]),
    });

    const target = new ScalableTarget(this, 'Scaling', {
      serviceNamespace: ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${endpoint.attrEndpointName}/variant/AllTraffic`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: props.minInstances,
      maxCapacity: props.maxInstances,
    });
    target.node.addDependency(endpoint);
    const metric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap: { EndpointName: endpoint.attrEndpointName },
        statistic: 'Average',
        period: Duration.minutes(1),
      });
    target.scaleToTrackMetric('Backlog', {
      targetValue: props.targetBacklogPerInstance ?? 5,
      customMetric: metric('ApproximateBacklogSizePerInstance'),
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    for (const [index, schedule] of (props.schedules ?? []).entries())
      target.scaleOnSchedule(`Schedule${index}`, {
        schedule: Schedule.expression(schedule.cron),
        ...(schedule.timezone ? { timeZone: TimeZone.of(schedule.timezone) } : {}),
        ...(schedule.minInstances !== undefined ? { minCapacity: schedule.minInstances } : {}),
        ...(schedule.maxInstances !== undefined ? { maxCapacity: schedule.maxInstances } : {}),
      });
    // Target tracking does not wake an endpoint at zero instances: this step policy does.
    target.scaleOnMetric('WakeFromZero', {
      metric: metric('HasBacklogWithoutCapacity'),
      scalingSteps: [
        { upper: 0, change: 0 },
        { lower: 1, change: 1 },
      ],
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(5),
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
  }
}
