import { describe, expect, it } from 'vitest';
import type { SdkCall } from '../../../local/iam-emulation/sdk-call';
import { accessRequests } from '../../../local/iam-emulation/sdk-call-access';

const SCOPE = { region: 'us-east-1', account: '123456789012', socketApiId: 'api1' };
const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table';
const call = (
  clientName: string,
  operation: string,
  input: Record<string, unknown>,
  request?: SdkCall['request'],
) =>
  accessRequests(
    { clientName, commandName: `${operation}Command`, input, ...(request ? { request } : {}) },
    SCOPE,
  );
const pairs = (requests: { action: string; resource: string }[]) =>
  requests.map(({ action, resource }) => `${action} ${resource}`);

describe('what IAM authorizes for each SDK call', () => {
  it('DynamoDB: the operation on the table, and a Query or Scan on the index it names', () => {
    expect(pairs(call('DynamoDBClient', 'GetItem', { TableName: 't' }))).toEqual([
      `dynamodb:GetItem ${ARN}/t`,
    ]);
    expect(pairs(call('DynamoDBClient', 'Query', { TableName: 't', IndexName: 'owner-index' }))).toEqual([
      `dynamodb:Query ${ARN}/t/index/owner-index`,
    ]);
    expect(pairs(call('DynamoDBClient', 'Scan', { TableName: 't' }))).toEqual([`dynamodb:Scan ${ARN}/t`]);
  });

  it('DynamoDB transactions: each item its own action on its own table', () => {
    const transaction = call('DynamoDBClient', 'TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 'a' } },
        { Update: { TableName: 'b' } },
        { Delete: { TableName: 'a' } },
        { ConditionCheck: { TableName: 'c' } },
      ],
    });
    expect(pairs(transaction)).toEqual([
      `dynamodb:PutItem ${ARN}/a`,
      `dynamodb:UpdateItem ${ARN}/b`,
      `dynamodb:DeleteItem ${ARN}/a`,
      `dynamodb:ConditionCheckItem ${ARN}/c`,
    ]);
    expect(
      pairs(call('DynamoDBClient', 'TransactGetItems', { TransactItems: [{ Get: { TableName: 'a' } }] })),
    ).toEqual([`dynamodb:GetItem ${ARN}/a`]);
    expect(pairs(call('DynamoDBClient', 'BatchWriteItem', { RequestItems: { a: [], b: [] } }))).toEqual([
      `dynamodb:BatchWriteItem ${ARN}/a`,
      `dynamodb:BatchWriteItem ${ARN}/b`,
    ]);
  });

  it('S3: object actions on bucket/key, copies read the source and write the target', () => {
    expect(pairs(call('S3Client', 'HeadObject', { Bucket: 'b', Key: 'inputs/k' }))).toEqual([
      's3:GetObject arn:aws:s3:::b/inputs/k',
    ]);
    expect(pairs(call('S3Client', 'CompleteMultipartUpload', { Bucket: 'b', Key: 'models/m' }))).toEqual([
      's3:PutObject arn:aws:s3:::b/models/m',
    ]);
    expect(
      pairs(
        call('S3Client', 'CopyObject', { Bucket: 'b', Key: 'models/m', CopySource: 'src/inputs/a%20b.bin' }),
      ),
    ).toEqual(['s3:GetObject arn:aws:s3:::src/inputs/a b.bin', 's3:PutObject arn:aws:s3:::b/models/m']);
    expect(pairs(call('S3Client', 'AbortMultipartUpload', { Bucket: 'b', Key: 'models/m' }))).toEqual([
      's3:AbortMultipartUpload arn:aws:s3:::b/models/m',
    ]);
    expect(
      pairs(
        call('S3Client', 'DeleteObjects', {
          Bucket: 'b',
          Delete: { Objects: [{ Key: 'x/1' }, { Key: 'x/2' }] },
        }),
      ),
    ).toEqual(['s3:DeleteObject arn:aws:s3:::b/x/1', 's3:DeleteObject arn:aws:s3:::b/x/2']);
  });

  it('S3 listings: s3:ListBucket on the bucket, the prefix as the s3:prefix condition key', () => {
    expect(call('S3Client', 'ListObjectsV2', { Bucket: 'b', Prefix: 'inputs/o/' })).toEqual([
      {
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::b',
        conditionKeys: { 's3:prefix': 'inputs/o/', 's3:delimiter': undefined, 's3:max-keys': undefined },
      },
    ]);
  });

  it('SageMaker, Logs, SQS and Secrets Manager: their resources as IAM names them', () => {
    const arn = (service: string, rest: string) => `arn:aws:${service}:us-east-1:123456789012:${rest}`;
    expect(pairs(call('SageMakerRuntimeClient', 'InvokeEndpointAsync', { EndpointName: 'Comfy-A' }))).toEqual(
      [`sagemaker:InvokeEndpointAsync ${arn('sagemaker', 'endpoint/comfy-a')}`],
    );
    expect(pairs(call('SageMakerClient', 'DescribeEndpointConfig', { EndpointConfigName: 'c' }))).toEqual([
      `sagemaker:DescribeEndpointConfig ${arn('sagemaker', 'endpoint-config/c')}`,
    ]);
    expect(pairs(call('CloudWatchLogsClient', 'StartQuery', { logGroupName: '/aws/x' }))).toEqual([
      `logs:StartQuery ${arn('logs', 'log-group:/aws/x:*')}`,
    ]);
    expect(pairs(call('CloudWatchLogsClient', 'GetQueryResults', { queryId: 'q' }))).toEqual([
      'logs:GetQueryResults *',
    ]);
    expect(
      pairs(call('SQSClient', 'SendMessage', { QueueUrl: 'http://127.0.0.1:1/123456789012/hooks.fifo' })),
    ).toEqual([`sqs:SendMessage ${arn('sqs', 'hooks.fifo')}`]);
    expect(pairs(call('SecretsManagerClient', 'CreateSecret', { Name: 'p/owner' }))).toEqual([
      `secretsmanager:CreateSecret ${arn('secretsmanager', 'secret:p/owner-Local0')}`,
    ]);
  });

  it('the websocket management API: ManageConnections on the method and connection the request names', () => {
    const post = call(
      'ApiGatewayManagementApiClient',
      'PostToConnection',
      { ConnectionId: 'c=' },
      {
        method: 'POST',
        path: '/prod/@connections/c%3D',
      },
    );
    expect(pairs(post)).toEqual([
      'execute-api:ManageConnections arn:aws:execute-api:us-east-1:123456789012:api1/prod/POST/@connections/c=',
    ]);
    const remove = call(
      'ApiGatewayManagementApiClient',
      'DeleteConnection',
      {},
      {
        method: 'DELETE',
        path: '/prod/@connections/c',
      },
    );
    expect(pairs(remove)[0]).toContain('/prod/DELETE/@connections/c');
  });

  it('refuses to guess: an operation or client with no mapping is an error naming it', () => {
    expect(() => call('S3Client', 'PutBucketPolicy', { Bucket: 'b' })).toThrow(
      /S3\.PutBucketPolicy: no IAM mapping/,
    );
    expect(() => call('KinesisClient', 'PutRecord', {})).toThrow(
      /no IAM mapping is emulated for KinesisClient/,
    );
    expect(() => call('DynamoDBClient', 'GetItem', {})).toThrow(/no TableName/);
  });
});
