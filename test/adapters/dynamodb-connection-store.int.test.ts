import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionTableInput, slotKey } from '../../lambda/adapters/connection-table';
import { DynamoDbConnectionStore } from '../../lambda/adapters/dynamodb-connection-store';
import type { SocketConnection } from '../../lambda/domain/notification-ports';
import { localClients } from '../support/local-aws';

/** Issue 25 (Low): the websocket cap per key is a reservation, not a count read first. */
const clients = localClients();
const tableName = `connections-${randomUUID().slice(0, 8)}`;
const store = new DynamoDbConnectionStore(clients.documents, tableName);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

const connection = (owner: string, id: string, expires_at = inAnHour()): SocketConnection => ({
  connection_id: id,
  owner,
  client_id: `client-${id}`,
  connected_at: new Date().toISOString(),
  expires_at,
});

beforeAll(async () => {
  await clients.dynamo.send(new CreateTableCommand(createConnectionTableInput(tableName)));
});
afterAll(async () => {
  await clients.dynamo.send(new DeleteTableCommand({ TableName: tableName }));
});

describe('DynamoDbConnectionStore on DynamoDB Local', () => {
  it('lets exactly the cap through when 40 connects of one key race, and no other key is touched', async () => {
    const opened = await Promise.all(
      Array.from({ length: 40 }, (_, n) => store.open(connection('racer', `race-${n}`), 5)),
    );
    expect(opened.filter(Boolean)).toHaveLength(5);
    const rows = await store.ofOwner('racer');
    expect(rows).toHaveLength(5);
    // Each holds a different place; the refused left no row behind.
    expect(new Set(rows.map((row) => row.slot))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(await store.open(connection('bystander', 'other-1'), 5)).toBe(true);
  });

  it('gives the place back on remove, so the next connect of that key gets it', async () => {
    const owner = 'closer';
    expect(await store.open(connection(owner, 'c-1'), 2)).toBe(true);
    expect(await store.open(connection(owner, 'c-2'), 2)).toBe(true);
    expect(await store.open(connection(owner, 'c-3'), 2)).toBe(false);
    await store.remove('c-1');
    expect(await store.isOpen('c-1')).toBe(false);
    expect(await store.open(connection(owner, 'c-4'), 2)).toBe(true);
    expect(await store.open(connection(owner, 'c-5'), 2)).toBe(false);
  });

  it('frees a place whose holder outlived its lifetime ($disconnect never came)', async () => {
    const owner = 'silent';
    const past = Math.floor(Date.now() / 1000) - 1;
    expect(await store.open(connection(owner, 's-1', past), 1)).toBe(true);
    expect(await store.open(connection(owner, 's-2'), 1)).toBe(true);
    expect(await store.open(connection(owner, 's-3'), 1)).toBe(false);
  });

  it('frees a place whose holder row is gone though the place stayed (remove stopped half-way)', async () => {
    const owner = 'half';
    await clients.documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { connection_id: slotKey(owner, 0), holder: 'h-gone', expires_at: inAnHour() },
      }),
    );
    // Its holder has no row: the place is taken over (and, with a live holder, it is not).
    expect(await store.open(connection(owner, 'h-1'), 1)).toBe(true);
    expect(await store.open(connection(owner, 'h-2'), 1)).toBe(false);
    const place = await clients.documents.send(
      new GetCommand({ TableName: tableName, Key: { connection_id: slotKey(owner, 0) } }),
    );
    expect(place.Item?.holder).toBe('h-1');
  });

  it('keeps places out of the owner index and stores no place without a cap', async () => {
    expect(await store.open(connection('uncapped', 'u-1'))).toBe(true);
    const rows = await store.ofOwner('uncapped');
    expect(rows.map((row) => [row.connection_id, row.slot])).toEqual([['u-1', undefined]]);
  });
});
