import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ExecuteRecord } from '../domain/execute-record';
import type { SocketConnection } from '../domain/notification-ports';
import { isSlotItem } from './connection-table';

type Image = NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

/** What one stream record says: a connection just opened, or an execute changed (either image may be absent). */
export type StreamChange =
  | { kind: 'opened'; connection: SocketConnection }
  | { kind: 'execute'; before: ExecuteRecord | undefined; after: ExecuteRecord | undefined }
  | { kind: 'ignored' };

const read = <T>(image: Image | undefined): T | undefined =>
  image ? (unmarshall(image as Record<string, AttributeValue>) as T) : undefined;

/**
 * Reads a record of the executes table's stream or the connections table's (told apart by the
 * stream ARN, `arn:…:table/{name}/stream/{label}`); of the connections table only
 * inserts of connections matter.
 */
export function streamChange(record: DynamoDBRecord, connectionsTable: string): StreamChange {
  const images = record.dynamodb ?? {};
  if (record.eventSourceARN?.includes(`:table/${connectionsTable}/stream/`)) {
    const connection = read<SocketConnection>(images.NewImage);
    // An owner's place under the connection cap is not a connection.
    return record.eventName === 'INSERT' && connection && !isSlotItem(connection)
      ? { kind: 'opened', connection }
      : { kind: 'ignored' };
  }
  return executeChange(record);
}

/** A record of the executes table's stream: the execute before and after (either may be absent). */
export function executeChange(record: DynamoDBRecord): Extract<StreamChange, { kind: 'execute' }> {
  const images = record.dynamodb ?? {};
  return {
    kind: 'execute',
    before: read<ExecuteRecord>(images.OldImage),
    after: read<ExecuteRecord>(images.NewImage),
  };
}
