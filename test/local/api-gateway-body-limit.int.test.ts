import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayEmulator, type ApiGatewayOptions, type ProxyHandler } from '../../local/api-gateway';
import { MB, streamBody } from './bounded-body-stream';

/**
 * Finding: the API Gateway emulator read every request body whole, with no limit, before its key
 * was checked (1.5 GB unkeyed took the stack's RSS from 214 MB to 3.24 GB). API Gateway refuses
 * a payload over 10 MB with 413, and a missing key or unknown route with 403 from the headers.
 */
const KEY = 'body-limit-test-key-0001';
const TOO_MUCH = 50 * MB;
const events: APIGatewayProxyEvent[] = [];
const handler: ProxyHandler = async (event) => {
  events.push(event);
  return { statusCode: 200, body: JSON.stringify({ length: event.body?.length ?? 0 }) };
};

let gateway: ApiGatewayEmulator;
let api: string;
beforeAll(async () => {
  gateway = new ApiGatewayEmulator({
    port: 0,
    apiKeys: new Map([[KEY, 'key-id-body-limit']]),
    handlers: new Proxy({} as ApiGatewayOptions['handlers'], { get: () => handler }),
    log: () => undefined,
  });
  api = await gateway.start();
});
afterAll(() => gateway?.stop());
beforeEach(() => {
  events.length = 0;
});

describe('API Gateway emulator: request bodies', () => {
  it('answers a keyed chunked body past 10 MB with 413 Request Too Long, and stops reading it', async () => {
    const outcome = await streamBody(`${api}executes`, TOO_MUCH, { headers: { 'x-api-key': KEY } });
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body)).toMatchObject({ message: 'Request Too Long' });
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(TOO_MUCH / 2);
    expect(events).toEqual([]);
  });

  it('refuses a Content-Length over 10 MB at once, without reading the body', async () => {
    const outcome = await streamBody(`${api}executes`, TOO_MUCH, {
      headers: { 'x-api-key': KEY },
      declareLength: true,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(TOO_MUCH / 2);
  });

  it('refuses a body without a valid key with 403 Forbidden before reading it', async () => {
    for (const headers of [{}, { 'x-api-key': 'not-a-key' }] as Record<string, string>[]) {
      const outcome = await streamBody(`${api}executes`, TOO_MUCH, { headers });
      expect(outcome.status).toBe(403);
      expect(JSON.parse(outcome.body)).toMatchObject({ message: 'Forbidden' });
      expect(outcome.wroteAll).toBe(false);
      expect(outcome.sent).toBeLessThan(TOO_MUCH / 2);
    }
    expect(events).toEqual([]);
  });

  it('refuses a body to no route with 403 Missing Authentication Token before reading it', async () => {
    const outcome = await streamBody(`${api}no-such-route`, TOO_MUCH, { headers: { 'x-api-key': KEY } });
    expect(outcome.status).toBe(403);
    expect(JSON.parse(outcome.body)).toMatchObject({ message: 'Missing Authentication Token' });
    expect(outcome.wroteAll).toBe(false);
  });

  it('still passes a body of exactly 10 MB, chunked or declared, to the handler', async () => {
    for (const declareLength of [false, true]) {
      const outcome = await streamBody(`${api}executes`, 10 * MB, {
        headers: { 'x-api-key': KEY, 'content-type': 'text/plain' },
        declareLength,
      });
      expect(outcome.status).toBe(200);
      expect(outcome.wroteAll).toBe(true);
      expect(JSON.parse(outcome.body)).toEqual({ length: 10 * MB });
    }
    expect(events).toHaveLength(2);
  });

  it('keeps the connection of an answered request reusable', async () => {
    const first = await fetch(`${api}executes`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
      body: '{"a":1}',
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('connection')).not.toBe('close');
    expect(await first.json()).toEqual({ length: 7 });
  });
});
