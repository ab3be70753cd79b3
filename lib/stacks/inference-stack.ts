import { join } from 'node:path';
import { Aws, IgnoreMode, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EnvironmentEndpoint } from '../config/environment-endpoints';
import { routedEndpointName, type StageConfig } from '../config/stage-config';
import { AsyncEndpoint } from '../constructs/async-endpoint';
import { CompletionTopics } from '../constructs/completion-topics';

export interface InferenceStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: ITable;
  /** The payload bucket, by its known physical name. */
  readonly bucketName: string;
  /** One endpoint per environment (issue 28), the default first; none: the single endpoint. */
  readonly environmentEndpoints?: readonly EnvironmentEndpoint[];
}

/** An endpoint the control plane routes to. */
export interface RoutedEndpoint {
  readonly name: string;
  readonly arn: string;
  /** ARN (pattern) of its config, for DescribeEndpointConfig. */
  readonly configArn: string;
  /** What it runs on (context instanceType for an existing endpoint: its own is not known here); GET /usage prices it. */
  readonly instanceType: string;
  /** The environment it serves (environments/{name}.json), when it is one. */
  readonly environment?: {
    readonly name: string;
    readonly imageUri: string;
    /** The environment file as deployed, minified (ESD's workflow payload_json). */
    readonly fileJson: string;
    readonly minInstances: number;
    readonly maxInstances: number;
  };
}

/**
 * The GPU side: the completion topics and, unless the stage routes to an existing endpoint,
 * the SageMaker asynchronous endpoint with its autoscaling.
 */
export class InferenceStack extends Stack {
  readonly topics: CompletionTopics;
  /** Every endpoint requests may be routed to; the first is the default. */
  readonly endpoints: RoutedEndpoint[];

  constructor(scope: Construct, id: string, props: InferenceStackProps) {
    super(scope, id, props);
    const bucket = Bucket.fromBucketAttributes(this, 'Payloads', {
      bucketName: props.bucketName,
      bucketArn: `arn:${Aws.PARTITION}:s3:::${props.bucketName}`,
    });
    this.topics = new CompletionTopics(this, 'Completion');
    const { config } = props;
    if (config.existingEndpointName) {
      this.endpoints = [
        {
          name: config.existingEndpointName,
          arn: this.formatArn({
            service: 'sagemaker',
            resource: 'endpoint',
            resourceName: config.existingEndpointName.toLowerCase(),
          }),
          // The existing endpoint's config name is not known here.
          configArn: `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:endpoint-config/*`,
          instanceType: config.instanceType,
        },
      ];
      return;
    }
    const shared = {
      table: props.table,
      bucket,
      successTopic: this.topics.success,
      errorTopic: this.topics.error,
      topicKey: this.topics.key,
      modelDataUrl: config.modelDataUrl,
      inputBuckets: config.inputBuckets,
      modelCacheBytes: config.modelCacheBytes,
    };
    // The configured name, a plain string: the control plane's IAM statements and settings name it.
    const routed = (
      name: string,
      endpoint: AsyncEndpoint,
      instanceType: string,
      environment?: RoutedEndpoint['environment'],
    ): RoutedEndpoint => ({
      name,
      arn: endpoint.endpointArn,
      configArn: endpoint.endpointConfigArn,
      instanceType,
      ...(environment ? { environment } : {}),
    });
    if (props.environmentEndpoints && props.environmentEndpoints.length > 0) {
      // One image and one endpoint per environment: the image installs the environment's packs.
      this.endpoints = props.environmentEndpoints.map((planned) => {
        const id = planned.environment.charAt(0).toUpperCase() + planned.environment.slice(1);
        const image = new DockerImageAsset(this, `EnvironmentImage${id}`, {
          directory: join(import.meta.dirname, '../..'),
          file: 'container/Dockerfile',
          ignoreMode: IgnoreMode.DOCKER,
          platform: Platform.LINUX_AMD64,
          buildArgs: planned.buildArgs,
        });
        const environment = {
          name: planned.environment,
          imageUri: image.imageUri,
          fileJson: planned.fileJson,
          minInstances: planned.minInstances,
          maxInstances: planned.maxInstances,
        };
        return routed(
          planned.endpointName,
          new AsyncEndpoint(this, `EnvironmentEndpoint${id}`, {
            ...shared,
            endpointName: planned.endpointName,
            imageUri: image.imageUri,
            imageRepository: image.repository,
            instanceType: planned.instanceType,
            minInstances: planned.minInstances,
            maxInstances: planned.maxInstances,
            maxConcurrentInvocationsPerInstance: planned.maxConcurrentInvocationsPerInstance,
            schedules: planned.schedules,
            ...(planned.modelSources ? { environmentModelSources: planned.modelSources } : {}),
          }),
          planned.instanceType,
          environment,
        );
      });
      return;
    }
    // Without an image of the operator's own, `cdk deploy` builds and publishes container/Dockerfile
    // (synthesis only fingerprints the files .dockerignore keeps: no Docker needed until deploy).
    const asset = config.imageUri
      ? undefined
      : new DockerImageAsset(this, 'EndpointImage', {
          directory: join(import.meta.dirname, '../..'),
          file: 'container/Dockerfile',
          ignoreMode: IgnoreMode.DOCKER,
          platform: Platform.LINUX_AMD64,
        });
    const endpoint = new AsyncEndpoint(this, 'Endpoint', {
      ...shared,
      endpointName: routedEndpointName(config),
      imageUri: config.imageUri ?? asset!.imageUri,
      imageRepository: asset?.repository,
      instanceType: config.instanceType,
      minInstances: config.minInstances,
      maxInstances: config.maxInstances,
      maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance,
    });
    this.endpoints = [routed(routedEndpointName(config), endpoint, config.instanceType)];
  }
}
