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

/**
 * An owner's places under maxConnectionsPerKey: item `#slot#{owner}#{n}` (n < the cap) is held by
 * one connection, taken in the same transaction as its row, so racing connects cannot pass the
 * cap. A slot item has no `owner` (it stays out of the owner index) and the connection's lifetime
 * (TTL), so a place whose `$disconnect` never came frees itself when the connection could no
 * longer be open.
 */
const SLOT_PREFIX = '#slot#';

export const slotKey = (owner: string, slot: number) => `${SLOT_PREFIX}${owner}#${slot}`;

/** Whether a connections-table item is an owner's place rather than a connection. */
export const isSlotItem = (item: { connection_id?: unknown }) =>
  typeof item.connection_id === 'string' && item.connection_id.startsWith(SLOT_PREFIX);

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
