import { join } from 'node:path';
import { Aws, IgnoreMode, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { routedEndpointName, type StageConfig } from '../config/stage-config';
import { AsyncEndpoint } from '../constructs/async-endpoint';
import { CompletionTopics } from '../constructs/completion-topics';

export interface InferenceStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: ITable;
  /** The payload bucket, by its known physical name. */
  readonly bucketName: string;
}

/**
 * The GPU side: the completion topics and, unless the stage routes to an existing endpoint,
 * the SageMaker asynchronous endpoint with its autoscaling.
 */
export class InferenceStack extends Stack {
  readonly topics: CompletionTopics;
  readonly endpointName: string;
  readonly endpointArn: string;
  /** ARN (pattern) of the endpoint's config, for DescribeEndpointConfig. */
  readonly endpointConfigArn: string;

  constructor(scope: Construct, id: string, props: InferenceStackProps) {
    super(scope, id, props);
    const bucket = Bucket.fromBucketAttributes(this, 'Payloads', {
      bucketName: props.bucketName,
      bucketArn: `arn:${Aws.PARTITION}:s3:::${props.bucketName}`,
    });
    this.topics = new CompletionTopics(this, 'Completion');
    const { config } = props;
    if (config.existingEndpointName) {
      this.endpointName = config.existingEndpointName;
      this.endpointArn = this.formatArn({
        service: 'sagemaker',
        resource: 'endpoint',
        resourceName: config.existingEndpointName.toLowerCase(),
      });
      // The existing endpoint's config name is not known here.
      this.endpointConfigArn = `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:endpoint-config/*`;
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
      endpointName: routedEndpointName(config),
      imageUri: config.imageUri ?? asset!.imageUri,
      imageRepository: asset?.repository,
      instanceType: config.instanceType,
      minInstances: config.minInstances,
      maxInstances: config.maxInstances,
      maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance,
      table: props.table,
      bucket,
      successTopic: this.topics.success,
      errorTopic: this.topics.error,
      topicKey: this.topics.key,
      modelDataUrl: config.modelDataUrl,
      inputBuckets: config.inputBuckets,
      modelCacheBytes: config.modelCacheBytes,
    });
    this.endpointName = endpoint.endpointName;
    this.endpointArn = endpoint.endpointArn;
    this.endpointConfigArn = endpoint.endpointConfigArn;
  }
}
