import { createSocket } from 'node:dgram';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTableAndBucket, localClients } from '../support/local-aws';

/**
 * What X-Ray receives from a function, with a UDP listener playing the X-Ray daemon: the tracer
 * is on only inside Lambda, so the test gives this process Lambda's variables before loading it.
 */
const daemon = createSocket('udp4');
const documents: Record<string, unknown>[] = [];
let tableName: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  daemon.on('message', (message) => {
    const [, body] = message.toString('utf8').split('\n');
    if (body) documents.push(JSON.parse(body) as Record<string, unknown>);
  });
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'comfy-exec-test',
    LAMBDA_TASK_ROOT: '/var/task',
    POWERTOOLS_TRACE_ENABLED: 'true',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    _X_AMZN_TRACE_ID: 'Root=1-6750aaaa-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  ({ tableName, drop } = await freshTableAndBucket());
});
afterAll(async () => {
  daemon.close();
  await drop();
});

describe('traces', () => {
  it('show every AWS call as a subsegment, and annotations on the handler subsegment', async () => {
    const { traced, inSubsegment, annotate, ownerDigest } = await import('../../lambda/platform/tracing');
    const client = traced(localClients().dynamo);
    await inSubsegment('## GET /executes/{prompt_id}', async () => {
      annotate({ prompt_id: 'abc', owner: ownerDigest('key-123'), status: 'success' });
      await inSubsegment('### use case', () =>
        client.send(new GetItemCommand({ TableName: tableName, Key: { prompt_id: { S: 'abc' } } })),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const named = (name: string) => documents.find((document) => document.name === name) as any;
    const handler = named('## GET /executes/{prompt_id}');
    expect(handler?.trace_id).toBe('1-6750aaaa-0123456789abcdef01234567');
    expect(handler.annotations).toEqual({
      prompt_id: 'abc',
      owner: ownerDigest('key-123'),
      status: 'success',
    });
    expect(JSON.stringify(documents)).not.toContain('key-123');
    // The AWS call sits in the use case, the use case in the handler, the handler in Lambda's segment.
    const useCase = named('### use case');
    expect(useCase.parent_id).toBe(handler.id);
    expect(handler.parent_id).toBe('53995c3f42cd8ad8');
    const call = named('DynamoDB');
    expect(call.parent_id).toBe(useCase.id);
    expect(call.aws).toMatchObject({ operation: 'GetItem', table_name: tableName });
  });
});
