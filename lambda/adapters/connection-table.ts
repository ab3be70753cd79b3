import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The websocket connections table, defined once for the CDK stack and the local stack: one item
 * per open connection, removed at `$disconnect` and, should that never come, by TTL (API Gateway
 * closes every connection within two hours). Its stream greets each new connection.
 */
export const CONNECTION_TABLE = {
  partitionKey: 'connection_id',
  ttlAttribute: 'expires_at',
  /** Every connection of one owner: the queue size goes to all of them. */
  byOwner: { indexName: 'owner-index', partitionKey: 'owner' },
} as const;

/** CreateTable input for DynamoDB Local; the CDK construct maps the same definition. */
export function createConnectionTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: CONNECTION_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: CONNECTION_TABLE.byOwner.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: CONNECTION_TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: CONNECTION_TABLE.byOwner.indexName,
        KeySchema: [{ AttributeName: CONNECTION_TABLE.byOwner.partitionKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
