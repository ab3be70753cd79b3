import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { SUMMARY_KEYS } from '../domain/ports';

/**
 * The executes table, defined once: the CDK stack and the local stack (and the tests) both
 * build their table from this, so keys and indexes cannot drift apart.
 */
export const EXECUTE_TABLE = {
  partitionKey: 'prompt_id',
  ttlAttribute: 'expires_at',
  /** Newest-first listing of one owner's executes. */
  byOwner: { indexName: 'owner-create_time-index', partitionKey: 'owner', sortKey: 'create_time' },
  /** The same, for one status: `owner_status` = `${owner}#${status}`. */
  byOwnerStatus: {
    indexName: 'owner_status-create_time-index',
    partitionKey: 'owner_status',
    sortKey: 'create_time',
  },
  /** Sparse: a run by name's executes, newest first, by `owner_template` = `${owner}#${template}`. */
  byOwnerTemplate: {
    indexName: 'owner_template-create_time-index',
    partitionKey: 'owner_template',
    sortKey: 'create_time',
  },
  /**
   * Sparse: only executes not yet final carry `pending`, so the Sweeper reads just those,
   * the nearest deadline first.
   */
  pending: { indexName: 'pending-deadline_at-index', partitionKey: 'pending', sortKey: 'deadline_at' },
  /** Attributes copied into the two listing indexes (beyond keys): what a list row shows. */
  projectedAttributes: SUMMARY_KEYS.filter((key) => !['prompt_id', 'owner', 'create_time'].includes(key)),
} as const;

/** The one value of `pending` (the attribute is removed when the execute becomes final). */
export const PENDING = 'pending';

export function ownerStatusKey(owner: string, status: string): string {
  return `${owner}#${status}`;
}

export function ownerTemplateKey(owner: string, template: string): string {
  return `${owner}#${template}`;
}

/** CreateTable input for DynamoDB Local; the CDK construct maps the same definition. */
export function createExecuteTableInput(tableName: string): CreateTableCommandInput {
  const index = (spec: { indexName: string; partitionKey: string; sortKey: string }) => ({
    IndexName: spec.indexName,
    KeySchema: [
      { AttributeName: spec.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: spec.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: {
      ProjectionType: 'INCLUDE' as const,
      NonKeyAttributes: [...EXECUTE_TABLE.projectedAttributes],
    },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: EXECUTE_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.byOwner.partitionKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.byOwnerStatus.partitionKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.byOwnerTemplate.partitionKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.byOwner.sortKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.pending.partitionKey, AttributeType: 'S' },
      { AttributeName: EXECUTE_TABLE.pending.sortKey, AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: EXECUTE_TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      index(EXECUTE_TABLE.byOwner),
      index(EXECUTE_TABLE.byOwnerStatus),
      index(EXECUTE_TABLE.byOwnerTemplate),
      {
        IndexName: EXECUTE_TABLE.pending.indexName,
        KeySchema: [
          { AttributeName: EXECUTE_TABLE.pending.partitionKey, KeyType: 'HASH' },
          { AttributeName: EXECUTE_TABLE.pending.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    // ComfyUI's websocket is told of every claim, progress write and completion from here.
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}
