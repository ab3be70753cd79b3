import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConnectionStore, SocketConnection } from '../domain/notification-ports';
import { CONNECTION_TABLE, slotKey } from './connection-table';
import { failedConditions } from './unfinished-counter';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Open websocket connections in DynamoDB (lambda/adapters/connection-table.ts). */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(connection: SocketConnection, cap?: number): Promise<boolean> {
    if (cap === undefined) {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: connection }));
      return true;
    }
    // The owner index (eventually consistent) says which places look free: those are tried
    // first. A place that is held is taken only once its holder is known to be gone.
    const held = new Map<number, string>();
    for (const open of await this.ofOwner(connection.owner))
      if (open.slot !== undefined) held.set(open.slot, open.connection_id);
    const places = Array.from({ length: cap }, (_, slot) => slot);
    for (const slot of [...places.filter((n) => !held.has(n)), ...places.filter((n) => held.has(n))]) {
      if (!held.has(slot) && (await this.take(connection, slot))) return true;
      const holder = held.get(slot) ?? (await this.holderOf(connection.owner, slot));
      if (holder === undefined || (await this.isOpen(holder))) continue;
      if (await this.take(connection, slot, holder)) return true;
    }
    return false;
  }

  private async holderOf(owner: string, slot: number): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [CONNECTION_TABLE.partitionKey]: slotKey(owner, slot) },
        ConsistentRead: true,
      }),
    );
    return Item?.holder as string | undefined;
  }

  /**
   * One place and the connection's row, both or neither; false when the place is held. `gone`: a
   * holder whose row is known to be gone (its place outlived it only if `remove` stopped half-way).
   */
  private async take(connection: SocketConnection, slot: number, gone?: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  [CONNECTION_TABLE.partitionKey]: slotKey(connection.owner, slot),
                  holder: connection.connection_id,
                  expires_at: connection.expires_at,
                },
                // Free: never taken, its holder's lifetime is over (a $disconnect that never came),
                // or its holder is gone.
                ConditionExpression: 'attribute_not_exists(#key) OR #expires < :now OR holder = :gone',
                ExpressionAttributeNames: {
                  '#key': CONNECTION_TABLE.partitionKey,
                  '#expires': CONNECTION_TABLE.ttlAttribute,
                },
                ExpressionAttributeValues: { ':now': nowSeconds(), ':gone': gone ?? '' },
              },
            },
            { Put: { TableName: this.tableName, Item: { ...connection, slot } } },
          ],
        }),
      );
      return true;
    } catch (error) {
      // Held, or being taken by a racing connect (TransactionConflict): either way, not ours.
      if (failedConditions(error)) return false;
      throw error;
    }
  }

  async remove(connectionId: string): Promise<void> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { [CONNECTION_TABLE.partitionKey]: connectionId },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const gone = Attributes as SocketConnection | undefined;
    if (gone?.slot === undefined) return;
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [CONNECTION_TABLE.partitionKey]: slotKey(gone.owner, gone.slot) },
          // Only while it is still this connection's (an expired place may have been taken since).
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': connectionId },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async isOpen(connectionId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [CONNECTION_TABLE.partitionKey]: connectionId },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined && (Item as SocketConnection).expires_at > nowSeconds();
  }

  async ofOwner(owner: string): Promise<SocketConnection[]> {
    const found: SocketConnection[] = [];
    let start: Record<string, unknown> | undefined;
    const now = nowSeconds();
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: CONNECTION_TABLE.byOwner.indexName,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': CONNECTION_TABLE.byOwner.partitionKey },
          ExpressionAttributeValues: { ':owner': owner },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      found.push(...((page.Items ?? []) as SocketConnection[]));
      start = page.LastEvaluatedKey;
    } while (start);
    // TTL deletes within days, not seconds: a row past its lifetime is a connection long gone.
    return found.filter((connection) => connection.expires_at > now);
  }
}
