import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RUNNING_RECORD_ATTRIBUTES } from '../../lambda/adapters/dynamodb-running-record-store';
import { PAYLOAD_PREFIXES } from './payload-bucket';

export interface EndpointRoleResources {
  readonly endpointName: string;
  /** The payload bucket. */
  readonly bucketArn: string;
  /** The executes table. */
  readonly tableArn: string;
  readonly successTopicArn: string;
  readonly errorTopicArn: string;
  /** The topics' KMS key. */
  readonly topicKeyArn: string;
  /** Buckets whose objects executes may name as inputs (read by the container). @default none */
  readonly inputBuckets?: readonly string[];
  /** The image's ECR repository, when pulls must be granted. @default none */
  readonly repositoryArn?: string;
  /** s3:// URL of the model artifact. @default none */
  readonly modelDataUrl?: string;
  /** s3:// objects of the environment's `models` outside the library, read at start-up. @default none */
  readonly environmentModelSources?: readonly string[];
}

/**
 * What the endpoint's execution role may do: SageMaker's own work (the staged request, result
 * objects, notifications, logs, metrics, the image) and the container's (the execute's inputs and
 * library models read, outputs and its endpoint's catalog written, the record updated). A pure
 * function of ARNs, so the local stack checks the container's calls against these very statements.
 */
export function endpointRoleStatements(r: EndpointRoleResources): PolicyStatement[] {
  const objects = (prefix: string) => `${r.bucketArn}/${prefix}*`;
  const statements = [
    // SageMaker reads the staged request; the container reads the execute's inputs (its own,
    // uploaded ones, synced prefixes) and writes outputs; SageMaker writes result objects.
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [
        objects(PAYLOAD_PREFIXES.executes),
        objects(PAYLOAD_PREFIXES.inputs),
        objects(PAYLOAD_PREFIXES.models),
      ],
    }),
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: [
        // Outputs only: the staged requests beside them (queued executes) are not the instance's to rewrite.
        `${r.bucketArn}/${PAYLOAD_PREFIXES.executes}*/outputs/*`,
        `${r.bucketArn}/${PAYLOAD_PREFIXES.executes}*/temp/*`,
        objects(PAYLOAD_PREFIXES.asyncInference),
        // Its own catalog only: one endpoint's instances cannot rewrite another's node list.
        objects(`${PAYLOAD_PREFIXES.endpoints}${r.endpointName}/`),
      ],
    }),
    ...(r.environmentModelSources?.length
      ? [
          new PolicyStatement({
            actions: ['s3:GetObject'],
            resources: r.environmentModelSources.map(
              (uri) => `arn:${Aws.PARTITION}:s3:::${uri.slice('s3://'.length)}`,
            ),
          }),
        ]
      : []),
    ...(r.inputBuckets?.length
      ? [
          new PolicyStatement({
            actions: ['s3:GetObject'],
            resources: r.inputBuckets.map((name) => `arn:${Aws.PARTITION}:s3:::${name}/*`),
          }),
        ]
      : []),
    new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [r.tableArn] }),
    // Writes name only what a running execute's container writes (claim, progress) and the
    // table's keys, as IAM asks of an attribute list; never ALL_OLD/ALL_NEW, which would read
    // past the list. The webhook, the request, the outputs… are out of an instance's reach.
    new PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [r.tableArn],
      conditions: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...RUNNING_RECORD_ATTRIBUTES] },
        StringEquals: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
      },
    }),
    new PolicyStatement({
      actions: ['sns:Publish'],
      resources: [r.successTopicArn, r.errorTopicArn],
    }),
    new PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [r.topicKeyArn],
    }),
    new PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [
        `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${r.endpointName}:*`,
      ],
    }),
    // CloudWatch metrics and the ECR token have no resource-level permissions.
    new PolicyStatement({
      actions: ['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken'],
      resources: ['*'],
    }),
  ];
  if (r.repositoryArn)
    statements.push(
      new PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [r.repositoryArn],
      }),
    );
  if (r.modelDataUrl) {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(r.modelDataUrl)!;
    statements.push(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/${key}`],
      }),
    );
  }
  return statements;
}
