import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { slotKey } from '../../../lambda/adapters/connection-table';
import { streamChange } from '../../../lambda/adapters/dynamodb-stream-change';

const connectionsStream =
  'arn:aws:dynamodb:eu-west-1:123456789012:table/conns/stream/2026-12-06T00:00:00.000';

const insert = (item: Record<string, unknown>): DynamoDBRecord => ({
  eventName: 'INSERT',
  eventSourceARN: connectionsStream,
  dynamodb: { NewImage: marshall(item) as never },
});

describe('streamChange on the connections table', () => {
  it('reads a new connection as opened', () => {
    const connection = {
      connection_id: 'abc=',
      owner: 'key-1',
      client_id: 'c1',
      connected_at: '2026-12-06T00:00:00.000Z',
      expires_at: 1,
      slot: 0,
    };
    expect(streamChange(insert(connection), 'conns')).toEqual({ kind: 'opened', connection });
  });

  it("ignores an owner's place under the connection cap: it is no connection to greet", () => {
    const place = { connection_id: slotKey('key-1', 0), holder: 'abc=', expires_at: 1 };
    expect(streamChange(insert(place), 'conns')).toEqual({ kind: 'ignored' });
  });
});
