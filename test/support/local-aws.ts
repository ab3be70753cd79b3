import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createExecuteTableInput } from '../../lambda/adapters/execute-table';
import { createUsageTableInput } from '../../lambda/adapters/usage-table';

/** The usage table beside an executes table of the tests (freshTableAndBucket makes both). */
export const usageTableOf = (tableName: string) => `${tableName}-usage`;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Real SDK v3 clients pointed at the run's DynamoDB Local and s3rver. */
export function localClients() {
  const dynamo = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1', credentials });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { dynamo, documents, s3 };
}

/** A fresh executes table (the shared definition), its usage table and a bucket, unique to the caller. */
export async function freshTableAndBucket(clients = localClients()) {
  const suffix = randomUUID().slice(0, 8);
  const tableName = `executes-${suffix}`;
  const usageTableName = usageTableOf(tableName);
  const bucketName = `comfy-exec-test-${suffix}`;
  await clients.dynamo.send(new CreateTableCommand(createExecuteTableInput(tableName)));
  await clients.dynamo.send(new CreateTableCommand(createUsageTableInput(usageTableName)));
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  return {
    tableName,
    usageTableName,
    bucketName,
    drop: async () => {
      for (const name of [tableName, usageTableName])
        await clients.dynamo.send(new DeleteTableCommand({ TableName: name }));
    },
  };
}

/** Environment that points the Lambda composition root at the local emulators. */
export function localLambdaEnvironment(tableName: string, bucketName: string): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
    S3_FORCE_PATH_STYLE: 'true',
    TABLE_NAME: tableName,
    USAGE_TABLE_NAME: usageTableOf(tableName),
    BUCKET_NAME: bucketName,
  };
}

/**
 * For a test file that needs only a bucket: local clients and a fresh bucket (and table) made in
 * beforeAll and dropped in afterAll. `bucket()` names it once the hooks have run.
 */
export function useFreshBucket() {
  const clients = localClients();
  let fresh: Awaited<ReturnType<typeof freshTableAndBucket>> | undefined;
  beforeAll(async () => {
    fresh = await freshTableAndBucket(clients);
  });
  afterAll(() => fresh?.drop());
  return { clients, bucket: () => fresh!.bucketName };
}
