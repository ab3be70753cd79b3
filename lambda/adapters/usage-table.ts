import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ExecuteRecord } from '../domain/execute-record';
import { USAGE_COUNTERS, type UsageCounter, type UsageDelta } from '../domain/usage';
import { EXECUTE_TABLE } from './execute-table';
import { USAGE_COUNTED } from './record-update';

/**
 * The usage table, defined once for the CDK stack and the local stack: one item per owner,
 * endpoint and UTC day, moved only by ADD inside the transaction that finishes (or counts) an
 * execute. A table of its own, not items in the executes table: the owner's days are one Query
 * (`owner`, `period` between two days), and its new index comes with the table (CloudFormation adds
 * only one index to an existing table per update).
 */
export const USAGE_TABLE = {
  partitionKey: 'owner',
  /** `${day}#${endpoint_name}`: an owner's rows sort by day. */
  sortKey: 'period',
  /** Every owner's rows of one day: what an operator's `key=*` reads, a Query per day. */
  byDay: { indexName: 'day-owner_endpoint-index', partitionKey: 'day', sortKey: 'owner_endpoint' },
} as const;

export { USAGE_COUNTERS } from '../domain/usage';

const OUTCOME_COUNTER = { success: 'succeeded', failed: 'failed', cancelled: 'cancelled' } as const;

export const usagePeriod = (day: string, endpointName: string) => `${day}#${endpointName}`;

/** The transaction item that adds one finished execute to its row (created by the first ADD). */
export function usageAdd(tableName: string, usage: UsageDelta) {
  const added: Record<UsageCounter, number> = {
    executes: 1,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    gpu_ms: usage.gpu_ms,
    queue_ms: usage.queue_ms,
    output_bytes: usage.output_bytes,
  };
  added[OUTCOME_COUNTER[usage.status]] = 1;
  const names: Record<string, string> = {
    '#day': 'day',
    '#endpoint': 'endpoint_name',
    '#oe': 'owner_endpoint',
  };
  const values: Record<string, unknown> = {
    ':day': usage.day,
    ':endpoint': usage.endpoint_name,
    ':oe': `${usage.owner}#${usage.endpoint_name}`,
  };
  const adds = USAGE_COUNTERS.map((counter, i) => {
    names[`#c${i}`] = counter;
    values[`:c${i}`] = added[counter];
    return `#c${i} :c${i}`;
  });
  return {
    Update: {
      TableName: tableName,
      Key: { owner: usage.owner, period: usagePeriod(usage.day, usage.endpoint_name) },
      UpdateExpression: `SET #day = :day, #endpoint = :endpoint, #oe = :oe ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The record's side of counting a final record (the container's, which carried no usage): marked
 * counted and out of the pending index, only while still as read and not counted.
 */
export function usageCountedMark(tableName: string, record: ExecuteRecord) {
  return {
    Update: {
      TableName: tableName,
      Key: { prompt_id: record.prompt_id },
      UpdateExpression: 'SET #counted = :true REMOVE #pending',
      ConditionExpression: '#owner = :owner AND #status = :status AND attribute_not_exists(#counted)',
      ExpressionAttributeNames: {
        '#counted': USAGE_COUNTED,
        '#pending': EXECUTE_TABLE.pending.partitionKey,
        '#owner': 'owner',
        '#status': 'status',
      },
      ExpressionAttributeValues: { ':true': true, ':owner': record.owner, ':status': record.status },
    },
  };
}

/** CreateTable input for DynamoDB Local; the CDK construct maps the same definition. */
export function createUsageTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: USAGE_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: USAGE_TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: USAGE_TABLE.byDay.partitionKey, AttributeType: 'S' },
      { AttributeName: USAGE_TABLE.byDay.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: USAGE_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: USAGE_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: USAGE_TABLE.byDay.indexName,
        KeySchema: [
          { AttributeName: USAGE_TABLE.byDay.partitionKey, KeyType: 'HASH' },
          { AttributeName: USAGE_TABLE.byDay.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
