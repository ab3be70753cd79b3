import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DeletedRunUsage } from '../domain/ports';
import type { UsageDelta } from '../domain/usage';
import { EXECUTE_TABLE } from './execute-table';
import { usagePeriod } from './usage-table';

/**
 * An execute deleted while it ran: its usage is counted at the delete (its time so far, as
 * cancelled), but the instance keeps running it until the container sees the delete and ComfyUI
 * stops. This marker, in the executes table beside the records (`prompt_id`
 * `#deleted-run#{prompt_path}`: never a UUID, no `owner`, so no route or listing reaches it),
 * keeps what was counted, so that the run's own notification adds the rest once (its total_ms
 * minus what was counted). Kept two weeks (TTL), past any run's deadline.
 */
/** `day`: the UTC day its usage was counted on (the delete's). */
export type DeletedRun = DeletedRunUsage;

const KEEP_SECONDS = 14 * 86_400;

export const deletedRunKey = (promptPath: string) => ({
  [EXECUTE_TABLE.partitionKey]: `#deleted-run#${promptPath}`,
});

/** The marker's Put, in the delete's transaction. */
export function deletedRunPut(tableName: string, promptPath: string, usage: UsageDelta) {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...deletedRunKey(promptPath),
        deleted_owner: usage.owner,
        endpoint_name: usage.endpoint_name,
        usage_day: usage.day,
        counted_gpu_ms: usage.gpu_ms,
        [EXECUTE_TABLE.ttlAttribute]: Math.floor(Date.now() / 1000) + KEEP_SECONDS,
      },
    },
  };
}

export function deletedRunOf(
  promptPath: string,
  item: Record<string, unknown> | undefined,
): DeletedRun | undefined {
  if (!item || item.settled) return undefined;
  return {
    promptPath,
    owner: String(item.deleted_owner),
    endpointName: String(item.endpoint_name),
    day: String(item.usage_day),
    countedGpuMs: Number(item.counted_gpu_ms ?? 0),
  };
}

/** The rest of the run's GPU time, added once: the marker settled in the same transaction. */
export function deletedRunSettle(
  tableName: string,
  usageTableName: string,
  run: DeletedRun,
  restMs: number,
): NonNullable<TransactWriteCommandInput['TransactItems']> {
  return [
    {
      Update: {
        TableName: tableName,
        Key: deletedRunKey(run.promptPath),
        UpdateExpression: 'SET #settled = :true',
        ConditionExpression: 'attribute_exists(#key) AND attribute_not_exists(#settled)',
        ExpressionAttributeNames: { '#settled': 'settled', '#key': EXECUTE_TABLE.partitionKey },
        ExpressionAttributeValues: { ':true': true },
      },
    },
    {
      Update: {
        TableName: usageTableName,
        Key: { owner: run.owner, period: usagePeriod(run.day, run.endpointName) },
        UpdateExpression: 'SET #day = :day, #endpoint = :endpoint, #oe = :oe ADD #gpu :rest',
        ExpressionAttributeNames: {
          '#day': 'day',
          '#endpoint': 'endpoint_name',
          '#oe': 'owner_endpoint',
          '#gpu': 'gpu_ms',
        },
        ExpressionAttributeValues: {
          ':day': run.day,
          ':endpoint': run.endpointName,
          ':oe': `${run.owner}#${run.endpointName}`,
          ':rest': restMs,
        },
      },
    },
  ];
}
