import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpHandler } from '../../lambda/platform/http-handler';
import { logger } from '../../lambda/platform/powertools';
import { invokeLocally, startInvokeStore } from '../../local/lambda-context';

beforeAll(() => startInvokeStore());
afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
});

const event = (id: string) =>
  ({
    httpMethod: 'GET',
    resource: '/test',
    path: '/test',
    headers: {},
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: id, identity: { apiKeyId: 'key' } },
  }) as unknown as APIGatewayProxyEvent;

describe('the local stack runs overlapping invocations as Lambda keeps them apart', () => {
  it("a log line written after an await carries its own invocation's trace id, never a concurrent one's", async () => {
    // The suite runs Powertools in dev mode (global console) at SILENT: this test reads INFO lines.
    const lines: Record<string, unknown>[] = [];
    const capture = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].trim().startsWith('{')) lines.push(JSON.parse(args[0]));
    };
    for (const method of ['info', 'log'] as const) vi.spyOn(console, method).mockImplementation(capture);
    logger.setLogLevel('INFO');
    let release!: () => void;
    const barrier = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    const handler = httpHandler(async () => {
      if (first) {
        first = false;
        await barrier; // the second invocation starts and finishes meanwhile
      }
      logger.info('after the await');
      return { statusCode: 200, data: {} };
    });
    const slow = invokeLocally('slow', 'us-east-1', handler, event('slow-request'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const quick = await invokeLocally('quick', 'us-east-1', handler, event('quick-request'));
    release();
    const slowAnswer = await slow;
    const traceOf = (answer: { body: string }) =>
      /traces\/(1-[0-9a-f]+-[0-9a-f]+)/.exec(JSON.parse(answer.body).debug.trace_url)?.[1];
    const slowTrace = traceOf(slowAnswer);
    const quickTrace = traceOf(quick);
    expect(slowTrace).toBeDefined();
    expect(slowTrace).not.toBe(quickTrace);
    const logged = (fn: string) =>
      lines.find((line) => line.message === 'after the await' && line.function_name === fn);
    expect(logged('comfy-exec-local-slow')?.xray_trace_id).toBe(slowTrace);
    expect(logged('comfy-exec-local-quick')?.xray_trace_id).toBe(quickTrace);
    // The debug links name each invocation's own function and log stream.
    expect(JSON.parse(slowAnswer.body).debug.function_url).toContain('comfy-exec-local-slow');
    expect(JSON.parse(quick.body).debug.function_url).toContain('comfy-exec-local-quick');
    expect(process.env._X_AMZN_TRACE_ID).toBeUndefined();
  });
});
