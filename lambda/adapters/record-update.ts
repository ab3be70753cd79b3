import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { isTerminal } from '../domain/execute-status';
import type { RecordChange, RecordKey } from '../domain/ports';
import { EXECUTE_TABLE, ownerStatusKey } from './execute-table';

/** Builds one UpdateExpression with placeholder names and values for every change. */
class UpdateBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly assignments: string[] = [];
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#n${this.count++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(path: string[], value: unknown): void {
    this.assignments.push(`${path.map((part) => this.name(part)).join('.')} = ${this.value(value)}`);
  }

  /** Names the attribute in the update without changing it, so UPDATED_NEW returns it. */
  echo(attribute: string, whenAbsent: unknown): void {
    const name = this.name(attribute);
    this.assignments.push(`${name} = if_not_exists(${name}, ${this.value(whenAbsent)})`);
  }
}

export interface RecordUpdateOptions {
  /** Attributes to return with UPDATED_NEW though unchanged, each with its value when absent. */
  echo?: Record<string, unknown>;
  /**
   * The write also adds the execute's usage (usageAdd in the same transaction): a final status
   * then marks the record counted and takes it out of the pending index. Without it, a final
   * record stays there, for the notification or the Sweeper to count it.
   */
  countsUsage?: boolean;
}

/** Set on a record once its usage is in the usage table (the condition that keeps it to once). */
export const USAGE_COUNTED = 'usage_counted';

/**
 * The UpdateItem input for one RecordChange: `set`'s attributes (and `owner_status` with the
 * status), only while the owner is `key.owner` and the status one of `from`; a final status whose
 * usage is counted in the same write leaves the sparse pending index. Undefined when the change
 * sets nothing.
 */
export function recordUpdate(
  tableName: string,
  key: RecordKey,
  change: RecordChange,
  options: RecordUpdateOptions = {},
) {
  const update = new UpdateBuilder();
  for (const [attribute, value] of Object.entries(change.set)) {
    if (value !== undefined) update.set([attribute], value);
  }
  if (change.set.status) update.set(['owner_status'], ownerStatusKey(key.owner, change.set.status));
  for (const [attribute, value] of Object.entries(change.mergeSagemakerRaw ?? {})) {
    update.set(['sagemaker_raw', attribute], value);
  }
  if (update.assignments.length === 0) return undefined;
  for (const [attribute, whenAbsent] of Object.entries(options.echo ?? {}))
    update.echo(attribute, whenAbsent);
  const conditions = [`${update.name('owner')} = ${update.value(key.owner)}`];
  if (change.from) {
    const statuses = change.from.map((status) => update.value(status)).join(', ');
    conditions.push(`${update.name('status')} IN (${statuses})`);
  }
  if (change.whileRequestHash)
    conditions.push(`${update.name('request_hash')} = ${update.value(change.whileRequestHash)}`);
  if (change.whileSagemakerRawLacks)
    conditions.push(
      `attribute_not_exists(${update.name('sagemaker_raw')}.${update.name(change.whileSagemakerRawLacks)})`,
    );
  const counted = change.set.status !== undefined && isTerminal(change.set.status) && options.countsUsage;
  if (counted) update.set([USAGE_COUNTED], true);
  const remove = counted ? ` REMOVE ${update.name(EXECUTE_TABLE.pending.partitionKey)}` : '';
  return {
    TableName: tableName,
    Key: { prompt_id: key.prompt_id },
    UpdateExpression: `SET ${update.assignments.join(', ')}${remove}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: update.names,
    ExpressionAttributeValues: update.values,
  };
}

/** A conditional write whose condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
