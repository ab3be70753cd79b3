import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbWaitSlots } from '../../lambda/adapters/dynamodb-wait-slots';
import { freshTableAndBucket, localClients } from '../support/local-aws';

const clients = localClients();
let tableName: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  const fresh = await freshTableAndBucket(clients);
  tableName = fresh.tableName;
  drop = fresh.drop;
});
afterAll(() => drop?.());

const count = async (owner: string) =>
  (
    await clients.documents.send(
      new GetCommand({ TableName: tableName, Key: { prompt_id: `#waiting#${owner}` } }),
    )
  ).Item?.waiting_count;

describe('DynamoDbWaitSlots: creates one key may have waiting at once (DynamoDB Local)', () => {
  it('gives out at most the cap at once, even to racing takes, and each slot back once released', async () => {
    const slots = new DynamoDbWaitSlots(clients.documents, tableName, 3);
    const taken = await Promise.all(Array.from({ length: 8 }, () => slots.take('key-a')));
    const granted = taken.filter((release) => release !== undefined);
    expect(granted).toHaveLength(3);
    // Another key's slots are its own.
    expect(await new DynamoDbWaitSlots(clients.documents, tableName, 3).take('key-b')).toBeDefined();
    await granted[0]!();
    expect(await count('key-a')).toBe(2);
    expect(await slots.take('key-a')).toBeDefined();
    expect(await slots.take('key-a')).toBeUndefined();
  });

  it('starts again from zero once no slot was taken for a minute (a Lambda that died mid-wait never gives its back)', async () => {
    let now = Date.UTC(2026, 11, 6, 12);
    const slots = new DynamoDbWaitSlots(clients.documents, tableName, 2, () => now);
    expect(await slots.take('key-c')).toBeDefined();
    expect(await slots.take('key-c')).toBeDefined();
    expect(await slots.take('key-c')).toBeUndefined();
    now += 59_000;
    expect(await slots.take('key-c')).toBeUndefined();
    now += 2_000;
    const fresh = await slots.take('key-c');
    expect(fresh).toBeDefined();
    expect(await count('key-c')).toBe(1);
  });

  it('is no execute: the counter item has no owner, so no listing or stream reader takes it for one', async () => {
    const slots = new DynamoDbWaitSlots(clients.documents, tableName, 1);
    await slots.take('key-d');
    const { Item } = await clients.documents.send(
      new GetCommand({ TableName: tableName, Key: { prompt_id: '#waiting#key-d' } }),
    );
    expect(Object.keys(Item!).sort()).toEqual(['last_taken_ms', 'prompt_id', 'waiting_count']);
  });
});
