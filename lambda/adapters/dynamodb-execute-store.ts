import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TooManyRequestsError, unfinishedCapMessage } from '../domain/errors';
import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type {
  ExecuteStore,
  ExecuteSummary,
  ListPage,
  ListQuery,
  RecordChange,
  RecordKey,
} from '../domain/ports';
import { templateGeneration } from '../domain/templates/template';
import { type UsageDelta, usageOf } from '../domain/usage';
import {
  type DeletedRun,
  deletedRunKey,
  deletedRunOf,
  deletedRunPut,
  deletedRunSettle,
} from './deleted-run-marker';
import { EXECUTE_TABLE, ownerStatusKey, ownerTemplateKey, PENDING } from './execute-table';
import { decodeCursor, encodeCursor } from './list-cursor';
import { isConditionFailure, recordUpdate, USAGE_COUNTED } from './record-update';
import { failedConditions, releaseOne, reserveOne } from './unfinished-counter';
import { usageAdd, usageCountedMark } from './usage-table';

/** The statuses an execute counts against its owner's cap in (MAX_UNFINISHED_PER_KEY). */
const UNFINISHED = ['created', 'running'] as const;
const isUnfinished = (status: string) => (UNFINISHED as readonly string[]).includes(status);

/** Attributes that exist only for the indexes. */
const INDEX_ONLY = [
  'owner_status',
  EXECUTE_TABLE.byOwnerTemplate.partitionKey,
  EXECUTE_TABLE.pending.partitionKey,
] as const;

function withoutIndexKeys<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const key of INDEX_ONLY) delete copy[key];
  return copy as T;
}

/**
 * ExecuteStore on DynamoDB: one item per execute, conditional writes for every state change.
 * With `usageTableName`, finishing writes add the execute's usage in the same transaction;
 * functions that never finish an execute go without it.
 */
export class DynamoDbExecuteStore implements ExecuteStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly usageTableName?: string,
    /** Told of each execute's usage once it is written (the metrics of an execute's end). */
    private readonly onCounted?: (usage: UsageDelta) => Promise<void>,
  ) {}

  /** The usage transaction item, when this store writes usage and the change carries it. */
  private usageItems(usage: UsageDelta | undefined) {
    return usage && this.usageTableName ? [usageAdd(this.usageTableName, usage)] : [];
  }

  private async counted(usage: UsageDelta | undefined, written: boolean) {
    if (usage && written && this.usageTableName) await this.onCounted?.(usage);
  }

  async get(promptId: string): Promise<ExecuteRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { prompt_id: promptId }, ConsistentRead: true }),
    );
    return Item ? withoutIndexKeys<ExecuteRecord>(Item) : undefined;
  }

  async createIfAbsent(record: ExecuteRecord, unfinishedCap?: number): Promise<boolean> {
    const put = {
      TableName: this.tableName,
      Item: {
        ...record,
        owner_status: ownerStatusKey(record.owner, record.status),
        ...(record.template
          ? {
              [EXECUTE_TABLE.byOwnerTemplate.partitionKey]: ownerTemplateKey(
                record.owner,
                templateGeneration(record.template.name, record.template.create_time),
              ),
            }
          : {}),
        ...(isTerminal(record.status) ? {} : { [EXECUTE_TABLE.pending.partitionKey]: PENDING }),
      },
      ConditionExpression: 'attribute_not_exists(prompt_id)',
    };
    try {
      if (!isUnfinished(record.status)) await this.client.send(new PutCommand(put));
      else
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              reserveOne(this.tableName, record.owner, unfinishedCap ?? Number.MAX_SAFE_INTEGER),
            ],
          }),
        );
      return true;
    } catch (error) {
      const failed = failedConditions(error);
      if (failed?.[0] || isConditionFailure(error)) return false;
      if (failed?.[1]) throw new TooManyRequestsError(unfinishedCapMessage(unfinishedCap!));
      throw error;
    }
  }

  async update(key: RecordKey, change: RecordChange): Promise<ExecuteRecord | undefined> {
    const usage = this.usageItems(change.usage);
    const command = recordUpdate(this.tableName, key, change, { countsUsage: usage.length > 0 });
    if (!command) return this.get(key.prompt_id);
    // Finishing an unfinished execute frees its place under the owner's cap, and adds its usage,
    // in the same write.
    const finishes =
      change.set.status !== undefined &&
      isTerminal(change.set.status) &&
      change.from?.every(isUnfinished) === true;
    try {
      if (finishes) {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: command }, releaseOne(this.tableName, key.owner), ...usage],
          }),
        );
        await this.counted(change.usage, usage.length > 0);
        return this.get(key.prompt_id);
      }
      const { Attributes } = await this.client.send(
        new UpdateCommand({ ...command, ReturnValues: 'ALL_NEW' }),
      );
      return Attributes ? withoutIndexKeys<ExecuteRecord>(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error) || failedConditions(error)?.[0]) return undefined;
      throw error;
    }
  }

  async listByOwner(query: ListQuery): Promise<ListPage> {
    // A template's executes come from its own index; a status with it is a filter on that index.
    const index = query.template
      ? EXECUTE_TABLE.byOwnerTemplate
      : query.status
        ? EXECUTE_TABLE.byOwnerStatus
        : EXECUTE_TABLE.byOwner;
    const partition = {
      name: index.partitionKey,
      value: query.template
        ? ownerTemplateKey(query.owner, query.template)
        : query.status
          ? ownerStatusKey(query.owner, query.status)
          : query.owner,
    };
    const statusFilter =
      query.template && query.status
        ? {
            FilterExpression: '#status = :status',
            status: { '#status': 'status' },
            value: { ':status': query.status },
          }
        : undefined;
    const keyNames = [EXECUTE_TABLE.partitionKey, index.partitionKey, index.sortKey];
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': partition.name, ...statusFilter?.status },
        ExpressionAttributeValues: { ':pk': partition.value, ...statusFilter?.value },
        ...(statusFilter ? { FilterExpression: statusFilter.FilterExpression } : {}),
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.cursor ? decodeCursor(query.cursor, keyNames, partition) : undefined,
      }),
    );
    return {
      records: (Items ?? []).map((item) => withoutIndexKeys<ExecuteSummary>(item)),
      cursor: encodeCursor(LastEvaluatedKey),
    };
  }

  async listPendingIds(limit: number): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: EXECUTE_TABLE.pending.indexName,
          KeyConditionExpression: '#pending = :pending',
          ExpressionAttributeNames: { '#pending': EXECUTE_TABLE.pending.partitionKey },
          ExpressionAttributeValues: { ':pending': PENDING },
          Limit: limit - ids.length,
          ExclusiveStartKey: start,
        }),
      );
      ids.push(...(page.Items ?? []).map((item) => String(item.prompt_id)));
      start = page.LastEvaluatedKey;
    } while (start && ids.length < limit);
    return ids;
  }

  async deleteOwned(promptId: string, owner: string): Promise<boolean> {
    // The status decides whether the owner's count moves; a status that changes meanwhile fails
    // the condition, and the delete is tried again with the new one.
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await this.get(promptId);
      if (!record || record.owner !== owner) return false;
      // Read uncounted, deleted uncounted: a notification or Sweeper counting it meanwhile fails
      // the condition (else both would count it), and the delete is tried again.
      const remove = {
        TableName: this.tableName,
        Key: { prompt_id: promptId },
        ConditionExpression: `#owner = :owner AND #status = :status${record.usage_counted ? '' : ' AND attribute_not_exists(#counted)'}`,
        ExpressionAttributeNames: {
          '#owner': 'owner',
          '#status': 'status',
          ...(record.usage_counted ? {} : { '#counted': USAGE_COUNTED }),
        },
        ExpressionAttributeValues: { ':owner': owner, ':status': record.status },
      };
      // The time it took stays counted: an unfinished execute as cancelled now, a final one not
      // yet counted as it ended.
      const ended = record.usage_counted
        ? undefined
        : usageOf(
            isUnfinished(record.status)
              ? { ...record, status: 'cancelled', complete_time: new Date().toISOString() }
              : record,
          );
      const usage = this.usageItems(ended);
      // Still running: its notification adds the rest of the run (deleted-run-marker.ts).
      if (ended && usage.length > 0 && record.status === 'running' && record.prompt_path)
        usage.push(deletedRunPut(this.tableName, record.prompt_path, ended) as never);
      const release = isUnfinished(record.status) ? [releaseOne(this.tableName, owner)] : [];
      try {
        if (release.length + usage.length > 0)
          await this.client.send(
            new TransactWriteCommand({ TransactItems: [{ Delete: remove }, ...release, ...usage] }),
          );
        else await this.client.send(new DeleteCommand(remove));
        await this.counted(ended, usage.length > 0);
        return true;
      } catch (error) {
        if (!isConditionFailure(error) && !failedConditions(error)?.[0]) throw error;
      }
    }
    return false;
  }

  async deletedRun(promptPath: string): Promise<DeletedRun | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: deletedRunKey(promptPath), ConsistentRead: true }),
    );
    return deletedRunOf(promptPath, Item);
  }

  async settleDeletedRun(run: DeletedRun, totalMs: number): Promise<boolean> {
    if (!this.usageTableName) throw new Error('this function was given no usage table (USAGE_TABLE_NAME)');
    const rest = Math.max(0, Math.round(totalMs) - run.countedGpuMs);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: deletedRunSettle(this.tableName, this.usageTableName, run, rest),
        }),
      );
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0]) return false;
      throw error;
    }
  }

  async countUsage(record: ExecuteRecord): Promise<boolean> {
    if (!this.usageTableName) throw new Error('this function was given no usage table (USAGE_TABLE_NAME)');
    const usage = usageOf(record);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [usageCountedMark(this.tableName, record), usageAdd(this.usageTableName, usage)],
        }),
      );
      await this.counted(usage, true);
      return true;
    } catch (error) {
      if (failedConditions(error)?.[0]) return false;
      throw error;
    }
  }
}
