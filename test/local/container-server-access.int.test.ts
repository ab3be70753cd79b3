import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CALLER_TOKEN_HEADER } from '../../container/src/caller-token';
import { containerConfig } from '../../container/src/config';
import { createContainerServer, listen } from '../../container/src/server';
import { expectLoopbackOnly } from './listening-sockets';

const invoked: string[] = [];
const handlers = {
  healthy: async () => true,
  invoke: async (body: string) => {
    invoked.push(body);
    return { httpStatus: 200, result: { status: 'success' } } as never;
  },
};
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  invoked.length = 0;
});

// A staged request as a forger would post it: SageMaker's own body, any S3 object named in it.
const forged = JSON.stringify({
  prompt_id: 'forged',
  inputs: [{ s3: 's3://bucket/inputs/key-b/private.png' }],
});

describe("the endpoint container's server as the local stack runs it", () => {
  const required = { TABLE_NAME: 't', BUCKET_NAME: 'b' };

  it('listens where the local stack says (loopback) with its token, and on every interface without one in the image', () => {
    const local = containerConfig({ ...required, LISTEN_HOST: '127.0.0.1', LOCAL_CALLER_TOKEN: 't' });
    expect([local.LISTEN_HOST, local.LOCAL_CALLER_TOKEN]).toEqual(['127.0.0.1', 't']);
    const image = containerConfig(required);
    expect([image.LISTEN_HOST, image.LOCAL_CALLER_TOKEN, image.COMFYUI_CALLER_TOKEN]).toEqual([
      '0.0.0.0',
      undefined,
      undefined,
    ]);
  });

  it("takes no connection on the machine's other addresses when told 127.0.0.1", async () => {
    const server = createContainerServer(handlers, { callerToken: 't' });
    servers.push(server);
    const port = await listen(server, 0, '127.0.0.1');
    expect((server.address() as AddressInfo).address).toBe('127.0.0.1');
    await expectLoopbackOnly(port, 'the container');
  });

  it('answers /invocations and /ping only to a caller with the token: a forged staged request runs nothing', async () => {
    const server = createContainerServer(handlers, { callerToken: 'caller-token' });
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    for (const token of [undefined, 'guessed', 'caller-token-and-more']) {
      const headers = {
        'content-type': 'application/json',
        ...(token ? { [CALLER_TOKEN_HEADER]: token } : {}),
      };
      expect((await fetch(`${url}/invocations`, { method: 'POST', headers, body: forged })).status).toBe(403);
      expect((await fetch(`${url}/ping`, { headers })).status).toBe(403);
    }
    expect(invoked).toEqual([]);
    const caller = { [CALLER_TOKEN_HEADER]: 'caller-token' };
    expect((await fetch(`${url}/ping`, { headers: caller })).status).toBe(200);
    const answer = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: caller,
      body: '{"prompt_id":"p"}',
    });
    expect(answer.status).toBe(200);
    expect(invoked).toEqual(['{"prompt_id":"p"}']);
  });

  it('needs no token when none is set (SageMaker calls the image without one)', async () => {
    const server = createContainerServer(handlers);
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    expect((await fetch(`${url}/ping`)).status).toBe(200);
  });

  it("answers a result quoting a 64-bit integer (ComfyUI's error on a skipped node) with its digits, not a 500", async () => {
    const answer = {
      httpStatus: 200,
      result: {
        status: 'success',
        warnings: { node_errors: { '1': { errors: [{ extra_info: { received_value: 2n ** 63n } }] } } },
      },
    };
    const server = createContainerServer({ healthy: async () => true, invoke: async () => answer as never });
    servers.push(server);
    const url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    const response = await fetch(`${url}/invocations`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"received_value":9223372036854775808');
  });
});
