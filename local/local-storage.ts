import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createConnectionTableInput } from '../lambda/adapters/connection-table';
import { createExecuteTableInput } from '../lambda/adapters/execute-table';
import { createUsageTableInput } from '../lambda/adapters/usage-table';
import { LOCAL_REGION as REGION } from './lambda-context';
import { type LocalCredentials, TEST_CREDENTIALS } from './local-credentials';

export const TABLE_NAME = 'comfy-exec-local-executes';
export const CONNECTIONS_TABLE_NAME = 'comfy-exec-local-connections';
export const USAGE_TABLE_NAME = 'comfy-exec-local-usage';
export const BUCKET_NAME = 'comfy-exec-local';

/** The test suite's fixed pair (scripts that start DynamoDB Local and S3 without credentials sign with it). */
export const CREDENTIALS = TEST_CREDENTIALS;

/**
 * Creates a table, or (kept in a data folder from an older version) turns its stream on and adds
 * the indexes it lacks, as a deploy does to the deployed table.
 */
async function ensureTable(dynamo: DynamoDBClient, input: CreateTableCommandInput) {
  try {
    await dynamo.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: input.TableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of input.GlobalSecondaryIndexes ?? []) {
      if (present.has(index.IndexName)) continue;
      const keys = new Set(index.KeySchema?.map((key) => key.AttributeName));
      await dynamo.send(
        new UpdateTableCommand({
          TableName: input.TableName,
          AttributeDefinitions: input.AttributeDefinitions?.filter((a) => keys.has(a.AttributeName)),
          GlobalSecondaryIndexUpdates: [{ Create: index }],
        }),
      );
    }
    if (input.StreamSpecification && !Table?.StreamSpecification?.StreamEnabled)
      await dynamo.send(
        new UpdateTableCommand({
          TableName: input.TableName,
          StreamSpecification: input.StreamSpecification,
        }),
      );
  }
}

/** The executes, connections (streams on) and usage tables and the payload bucket, made once and kept. */
export async function ensureTablesAndBucket(
  dynamoEndpoint: string,
  s3Endpoint: string,
  credentials: LocalCredentials = CREDENTIALS,
) {
  const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region: REGION, credentials });
  const s3 = new S3Client({ endpoint: s3Endpoint, region: REGION, credentials, forcePathStyle: true });
  await ensureTable(dynamo, createExecuteTableInput(TABLE_NAME));
  await ensureTable(dynamo, createConnectionTableInput(CONNECTIONS_TABLE_NAME));
  await ensureTable(dynamo, createUsageTableInput(USAGE_TABLE_NAME));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET_NAME })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  dynamo.destroy();
  return s3;
}
