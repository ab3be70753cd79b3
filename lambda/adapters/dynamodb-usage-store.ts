import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { UsageRow, UsageStore } from '../domain/usage';
import { USAGE_COUNTERS, USAGE_TABLE } from './usage-table';

function rowOf(item: Record<string, unknown>): UsageRow {
  const row = {
    owner: String(item.owner),
    endpoint_name: String(item.endpoint_name),
    day: String(item.day),
  } as UsageRow;
  for (const counter of USAGE_COUNTERS) row[counter] = Number(item[counter] ?? 0);
  return row;
}

/** UsageStore on the usage table: one Query per owner's range, one per day over the index. */
export class DynamoDbUsageStore implements UsageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async all(input: QueryCommandInput): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      rows.push(...(page.Items ?? []).map(rowOf));
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  ofOwner(owner: string, from: string, to: string): Promise<UsageRow[]> {
    return this.all({
      TableName: this.tableName,
      KeyConditionExpression: '#owner = :owner AND #period BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#owner': USAGE_TABLE.partitionKey, '#period': USAGE_TABLE.sortKey },
      // `~` sorts after every endpoint name's characters: the last day's rows are all inside.
      ExpressionAttributeValues: { ':owner': owner, ':from': `${from}#`, ':to': `${to}#~` },
    });
  }

  ofDay(day: string): Promise<UsageRow[]> {
    return this.all({
      TableName: this.tableName,
      IndexName: USAGE_TABLE.byDay.indexName,
      KeyConditionExpression: '#day = :day',
      ExpressionAttributeNames: { '#day': USAGE_TABLE.byDay.partitionKey },
      ExpressionAttributeValues: { ':day': day },
    });
  }
}
