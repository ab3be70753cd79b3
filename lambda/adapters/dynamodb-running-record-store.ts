import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type { RecordChange, RecordKey } from '../domain/ports';
import {
  COMPLETION_WRITES,
  RUNNING_RECORD_WRITES,
  type RunningRecordStore,
  type RunningRecordView,
} from '../domain/running-record-store';
import { DynamoDbExecuteStore } from './dynamodb-execute-store';
import { EXECUTE_TABLE } from './execute-table';
import { isConditionFailure, recordUpdate } from './record-update';
import { failedConditions, releaseOne, UNFINISHED_COUNT } from './unfinished-counter';

/**
 * Every attribute a container's UpdateItem names: the key, its writes (progress and completion),
 * `owner_status` and `cancel_requested` (returned with each write), the condition's `owner` and
 * `status`, the owner's unfinished count (freed by the completion), and, as IAM requires of a
 * `dynamodb:Attributes` list, every index key. The endpoint role allows no other.
 */
export const RUNNING_RECORD_ATTRIBUTES: readonly string[] = [
  ...new Set([
    EXECUTE_TABLE.partitionKey,
    ...RUNNING_RECORD_WRITES,
    ...COMPLETION_WRITES,
    UNFINISHED_COUNT,
    'cancel_requested',
    // Only in the claim's condition: the record must be the one this request created.
    'request_hash',
    ...[
      EXECUTE_TABLE.byOwner,
      EXECUTE_TABLE.byOwnerStatus,
      EXECUTE_TABLE.byOwnerTemplate,
      EXECUTE_TABLE.pending,
    ].flatMap((index) => [index.partitionKey, index.sortKey]),
  ]),
];

const view = (record: ExecuteRecord): RunningRecordView => ({
  prompt_id: record.prompt_id,
  owner: record.owner,
  cancel_requested: record.cancel_requested === true,
});

/** What a change sets beyond a container's share (which the endpoint role would refuse anyway). */
function refusedWrites(change: RecordChange): string[] {
  const refused = Object.keys(change.set).filter(
    (attribute) => !(RUNNING_RECORD_WRITES as readonly string[]).includes(attribute),
  );
  if (change.mergeSagemakerRaw) refused.push('sagemaker_raw');
  if (change.set.status && isTerminal(change.set.status)) refused.push(`status ${change.set.status}`);
  return refused;
}

/** What a completion sets beyond COMPLETION_WRITES, or from other than `running`. */
function refusedCompletion(change: RecordChange): string[] {
  const refused = Object.keys(change.set).filter(
    (attribute) => !(COMPLETION_WRITES as readonly string[]).includes(attribute),
  );
  if (change.mergeSagemakerRaw) refused.push('sagemaker_raw');
  if (!change.set.status || !isTerminal(change.set.status)) refused.push(`status ${change.set.status}`);
  if (change.from?.length !== 1 || change.from[0] !== 'running') refused.push('from other than running');
  return refused;
}

/** RunningRecordStore on DynamoDB: UPDATED_NEW writes naming only RUNNING_RECORD_ATTRIBUTES. */
export class DynamoDbRunningRecordStore implements RunningRecordStore {
  private readonly records: DynamoDbExecuteStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.records = new DynamoDbExecuteStore(client, tableName);
  }

  get(promptId: string): Promise<ExecuteRecord | undefined> {
    return this.records.get(promptId);
  }

  async update(key: RecordKey, change: RecordChange): Promise<RunningRecordView | undefined> {
    const refused = refusedWrites(change);
    if (refused.length > 0)
      throw new Error(
        `an endpoint container writes only ${RUNNING_RECORD_WRITES.join(', ')} of a running execute, not ${refused.join(', ')}`,
      );
    const command = recordUpdate(this.tableName, key, change, { echo: { cancel_requested: false } });
    if (!command) {
      const record = await this.get(key.prompt_id);
      return record && record.owner === key.owner ? view(record) : undefined;
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ ...command, ReturnValues: 'UPDATED_NEW' }),
      );
      return {
        prompt_id: key.prompt_id,
        owner: key.owner,
        cancel_requested: Attributes?.cancel_requested === true,
      };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async complete(key: RecordKey, change: RecordChange): Promise<boolean> {
    const refused = refusedCompletion(change);
    if (refused.length > 0)
      throw new Error(`an endpoint container completes only a running execute, not ${refused.join(', ')}`);
    const command = recordUpdate(this.tableName, key, change)!;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: command }, releaseOne(this.tableName, key.owner)],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error) || failedConditions(error)?.[0]) return false;
      throw error;
    }
  }
}
