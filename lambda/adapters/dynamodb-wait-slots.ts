import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WaitSlots } from '../domain/wait-slots';

/**
 * Slots longer than any wait lasts (API Gateway answers within 29 s): when no slot was taken for
 * this long, every waiter has answered, so whatever the count says was left by a Lambda that died
 * mid-wait, and it starts again from zero.
 */
const STALE_AFTER_MS = 60_000;

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * Each owner's creates that hold their caller (`wait`), one counter item in the executes table
 * beside the records, as the unfinished count is (`#waiting#{owner}`: never a UUID, no `owner`
 * attribute, so no route, listing or stream consumer takes it for an execute). A waiting create
 * holds a Lambda for up to 29 s; without a cap one key could hold the account's concurrency.
 */
export class DynamoDbWaitSlots implements WaitSlots {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cap: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(owner: string): Promise<(() => Promise<void>) | undefined> {
    const key = { prompt_id: `#waiting#${owner}` };
    const now = this.now();
    const update = (expression: string, condition: string, values: Record<string, unknown>) =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#count': 'waiting_count', '#taken': 'last_taken_ms' },
          ExpressionAttributeValues: { ':now': now, ...values },
        }),
      );
    try {
      await update('ADD #count :one SET #taken = :now', 'attribute_not_exists(#count) OR #count < :cap', {
        ':one': 1,
        ':cap': this.cap,
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      try {
        await update('SET #count = :one, #taken = :now', '#taken < :stale', {
          ':one': 1,
          ':stale': now - STALE_AFTER_MS,
        });
      } catch (reset) {
        if (isConditionFailure(reset)) return undefined;
        throw reset;
      }
    }
    return async () => {
      await this.documents
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'ADD #count :minus',
            ExpressionAttributeNames: { '#count': 'waiting_count' },
            ExpressionAttributeValues: { ':minus': -1 },
          }),
        )
        // A slot not given back only shortens this owner's waits until the count goes stale.
        .catch(() => undefined);
    };
  }
}
