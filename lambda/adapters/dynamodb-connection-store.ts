import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConnectionStore, SocketConnection } from '../domain/notification-ports';
import { CONNECTION_TABLE } from './connection-table';

/** Open websocket connections in DynamoDB (lambda/adapters/connection-table.ts). */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(connection: SocketConnection): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: connection }));
  }

  async remove(connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { [CONNECTION_TABLE.partitionKey]: connectionId },
      }),
    );
  }

  async isOpen(connectionId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [CONNECTION_TABLE.partitionKey]: connectionId },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined && (Item as SocketConnection).expires_at > Math.floor(Date.now() / 1000);
  }

  async ofOwner(owner: string): Promise<SocketConnection[]> {
    const found: SocketConnection[] = [];
    let start: Record<string, unknown> | undefined;
    const now = Math.floor(Date.now() / 1000);
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
