import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Each owner's count of executes created or running, one item in the executes table beside the
 * records (`prompt_id` `#unfinished#{owner}`: never a UUID, so no route reaches it; no `owner`
 * attribute, so no listing or stream consumer takes it for an execute). It moves only inside the
 * transaction that creates, finishes or deletes an unfinished execute, so racing creates cannot
 * pass the cap (MAX_UNFINISHED_PER_KEY) the way a count read first lets them.
 */
export const UNFINISHED_COUNT = 'unfinished_count';

export const counterKey = (owner: string) => ({ prompt_id: `#unfinished#${owner}` });

/** One more unfinished execute for `owner`, refused (ConditionalCheckFailed) at `cap`. */
export function reserveOne(tableName: string, owner: string, cap: number) {
  return {
    Update: {
      TableName: tableName,
      Key: counterKey(owner),
      UpdateExpression: 'ADD #count :one',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :cap',
      ExpressionAttributeNames: { '#count': UNFINISHED_COUNT },
      ExpressionAttributeValues: { ':one': 1, ':cap': cap },
    },
  };
}

/**
 * One fewer. Unconditional: an execute created before counting began may take it below zero,
 * which only leaves its owner that much more room until the count catches up.
 */
export function releaseOne(tableName: string, owner: string) {
  return {
    Update: {
      TableName: tableName,
      Key: counterKey(owner),
      UpdateExpression: 'ADD #count :minus',
      ExpressionAttributeNames: { '#count': UNFINISHED_COUNT },
      ExpressionAttributeValues: { ':minus': -1 },
    },
  };
}

/** Which items of a cancelled transaction failed their condition (by position). */
export function failedConditions(error: unknown): boolean[] | undefined {
  const cancelled =
    error instanceof TransactionCanceledException ||
    (error instanceof Error && error.name === 'TransactionCanceledException');
  if (!cancelled) return undefined;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
}
