import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * Issue 26's attack: half-open websocket connects (closed before they finished opening) each held
 * the stream for ~2 s of greeting retries, and every record behind them waited. Greetings now go
 * side by side; execute changes stay in order.
 */
const calls: string[] = [];
let releaseGreeting: () => void = () => undefined;

vi.mock('../../lambda/platform/socket-composition', () => ({
  relayDeps: () => ({}),
  // The batch's end as the real one: its greetings awaited, then its answer.
  endBatch: async <T>(greetings: Promise<void>[], answer: T) => {
    await Promise.all(greetings);
    return answer;
  },
}));
vi.mock('../../lambda/use-cases/relay-execute-changes', () => ({
  greetConnection: (connection: { connection_id: string }) => {
    calls.push(`greet ${connection.connection_id} started`);
    return new Promise<void>((resolve) => {
      releaseGreeting = () => {
        calls.push(`greet ${connection.connection_id} ended`);
        resolve();
      };
    });
  },
  relayExecuteChange: async (_before: unknown, after: { prompt_id: string }) => {
    calls.push(`relay ${after.prompt_id}`);
    if (calls.filter((call) => call.startsWith('relay')).length === 2) releaseGreeting();
  },
}));

const STREAM = (table: string) =>
  `arn:aws:dynamodb:us-east-1:123456789012:table/${table}/stream/2026-12-06T00:00:00.000`;
const record = (table: string, item: Record<string, unknown>): DynamoDBRecord => ({
  eventName: 'INSERT',
  eventSourceARN: STREAM(table),
  dynamodb: { NewImage: marshall(item) as never, SequenceNumber: String(calls.length) },
});

afterEach(() => {
  calls.length = 0;
});

describe('comfyui-events', () => {
  it('relays the execute changes behind a greeting that is still waiting, in their order', async () => {
    vi.stubEnv('CONNECTIONS_TABLE_NAME', 'conns');
    vi.stubEnv('WEBSOCKET_CALLBACK_URL', 'https://example.com/prod');
    vi.stubEnv('TABLE_NAME', 'executes');
    vi.stubEnv('BUCKET_NAME', 'bucket');
    const { handler } = await import('../../lambda/handlers/comfyui-events');
    const answer = await handler({
      Records: [
        record('conns', {
          connection_id: 'half-open',
          owner: 'b',
          client_id: 'x',
          connected_at: '',
          expires_at: 1,
        }),
        record('executes', { prompt_id: 'p1', owner: 'a' }),
        record('executes', { prompt_id: 'p2', owner: 'a' }),
      ],
    });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual(['greet half-open started', 'relay p1', 'relay p2', 'greet half-open ended']);
  });
});
