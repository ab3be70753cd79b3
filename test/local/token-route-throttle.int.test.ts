import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiGatewayEmulator, type ApiGatewayOptions } from '../../local/api-gateway';

/**
 * The browser-token views take no key, so no key's usage plan counts them. As the deployed
 * stage's per-method throttle does, each has a bucket of its own: a flood of them is refused
 * (429) without using up what a key's calls have, and a key's calls never use up theirs.
 */
const KEY = 'throttle-test-key-00001';
let gateway: ApiGatewayEmulator;
let api: string;
const seen: string[] = [];

beforeAll(async () => {
  const answer = (name: string) => async () => {
    seen.push(name);
    return { statusCode: 200, body: '"ok"' };
  };
  gateway = new ApiGatewayEmulator({
    port: 0,
    apiKeys: new Map([[KEY, 'key-id-throttle']]),
    handlers: {
      'comfyui-token-view': answer('token-view'),
      health: answer('health'),
    } as unknown as ApiGatewayOptions['handlers'],
    throttle: { rateLimit: 0.001, burstLimit: 2 },
    log: () => undefined,
  });
  api = await gateway.start();
});
afterAll(() => gateway?.stop());

describe('the browser-token views on the local gateway', () => {
  it('take no key, and have a throttle of their own apart from every key’s', async () => {
    const view = () => fetch(`${api}comfyui/t/v1.anything/view?filename=x.png`);
    const ping = () => fetch(`${api}ping`, { headers: { 'x-api-key': KEY } });
    expect((await Promise.all([view(), view(), view()])).map((r) => r.status).sort()).toEqual([
      200, 200, 429,
    ]);
    // The key's own bucket is untouched by the flood, and its use leaves the views refused.
    expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(200);
    expect((await ping()).status).toBe(429);
    expect((await view()).status).toBe(429);
    expect(seen.filter((name) => name === 'token-view')).toHaveLength(2);
    // Any other route still needs the key.
    expect((await fetch(`${api}ping`)).status).toBe(403);
  });
});
