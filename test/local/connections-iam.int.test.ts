import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { authorizeSocket } from '../../lambda/http/socket-authorizer';
import { clock } from '../../lambda/platform/composition-parts';
import { ApiGatewayEmulator, type ApiGatewayOptions } from '../../local/api-gateway';
import { type LocalCredentials, newLocalCredentials } from '../../local/local-credentials';
import { WebSocketGatewayEmulator } from '../../local/websocket-gateway';
import { MB, streamBody } from './bounded-body-stream';

/**
 * Finding: the emulator's `@connections` management API took calls without credentials, so
 * anyone who read a connection id in the log could read, post a forged event to, or close another
 * key's websocket. On AWS it takes IAM (SigV4) calls only; the functions sign theirs.
 */
const KEY = 'connections-test-key-0001';
const pair = newLocalCredentials(); // as `npm start` makes one each run
const connectionIds: string[] = [];
let gateway: ApiGatewayEmulator;
let sockets: WebSocketGatewayEmulator;
let api: string;

beforeAll(async () => {
  sockets = new WebSocketGatewayEmulator({
    stage: 'prod',
    paths: ['/comfyui/ws'],
    apiKeys: new Map([[KEY, 'key-id-connections']]),
    authorizer: (event) => authorizeSocket(event, { tokenKey: { current: async () => undefined }, clock }),
    handler: async (event) => {
      if (event.requestContext.routeKey === '$connect') connectionIds.push(event.requestContext.connectionId);
      return { statusCode: 200 };
    },
    log: () => undefined,
  });
  gateway = new ApiGatewayEmulator({
    port: 0,
    apiKeys: new Map([[KEY, 'key-id-connections']]),
    handlers: {} as ApiGatewayOptions['handlers'],
    sockets,
    credentials: [pair],
    log: () => undefined,
  });
  api = await gateway.start();
});
// As the local stack stops them: the websockets first, then the port they were upgraded on.
afterAll(async () => {
  await sockets?.stop();
  await gateway?.stop();
});

/** An open websocket of KEY's, its connection id, and every text message it has received. */
async function openSocket() {
  const socket = new WebSocket(`${api.replace(/^http/, 'ws')}comfyui/ws`, { headers: { 'x-api-key': KEY } });
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    received.push(data.toString());
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  /** Resolves once `count` messages have arrived (those already in included). */
  const receivedCount = async (count: number) => {
    while (received.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return received;
  };
  return { socket, received, receivedCount, id: connectionIds.at(-1)! };
}

const management = (credentials: LocalCredentials) =>
  new ApiGatewayManagementApiClient({
    endpoint: api.replace(/\/$/, ''),
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });

const connectionUrl = (id: string) => `${api}@connections/${encodeURIComponent(id)}`;

describe('the @connections management API', () => {
  it('refuses unsigned GET, POST and DELETE with 403 Missing Authentication Token, and leaves the socket alone', async () => {
    const { socket, receivedCount, id } = await openSocket();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const answer = await fetch(connectionUrl(id), {
        method,
        ...(method === 'POST' ? { body: '{"type":"executed","data":{"forged":true}}' } : {}),
      });
      expect(answer.status, method).toBe(403);
      expect(answer.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await answer.json()).toEqual({ message: 'Missing Authentication Token' });
    }
    // Still open, and the first message it gets is the signed one: the forged post never went out.
    const client = management(pair);
    await expect(client.send(new GetConnectionCommand({ ConnectionId: id }))).resolves.toMatchObject({
      $metadata: { httpStatusCode: 200 }, // 410 GoneException once a DELETE has closed it
    });
    await client.send(
      new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('signed') }),
    );
    expect(await receivedCount(1)).toEqual(['signed']);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    client.destroy();
  });

  it('refuses a key pair the stack does not accept, and a wrong secret, as API Gateway does', async () => {
    const { socket, id } = await openSocket();
    const stranger = management(newLocalCredentials());
    await expect(stranger.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    });
    const guessed = management({ ...pair, secretAccessKey: 'guessed' });
    await expect(guessed.send(new DeleteConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    stranger.destroy();
    guessed.destroy();
  });

  it('serves calls signed with an accepted pair: GET, POST and DELETE', async () => {
    const { socket, receivedCount, id } = await openSocket();
    const client = management(pair);
    const info = await client.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(info.$metadata.httpStatusCode).toBe(200);
    // What the SDK reads from API Gateway's answer (camelCase on the wire).
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.Identity?.SourceIp).toMatch(/127\.0\.0\.1/);
    await client.send(
      new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('{"a":1}') }),
    );
    expect(await receivedCount(1)).toEqual(['{"a":1}']);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await client.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect(await closed).toBe(1000);
    client.destroy();
  });

  it('refuses a malformed Authorization header before reading the body too', async () => {
    const { socket, id } = await openSocket();
    const outcome = await streamBody(connectionUrl(id), 50 * MB, {
      headers: { authorization: 'AWS4-HMAC-SHA256 garbage' },
    });
    expect(outcome.status).toBe(403);
    expect(outcome.headers['x-amzn-errortype']).toBe('IncompleteSignatureException');
    expect(outcome.wroteAll).toBe(false);
    socket.close();
  });

  it("takes at most API Gateway's 128 KB per post, and per message from a client (1009 past it)", async () => {
    const { socket, receivedCount, id } = await openSocket();
    const client = management(pair);
    const big = new Uint8Array(128 * 1024 + 1).fill(0x61);
    await expect(
      client.send(new PostToConnectionCommand({ ConnectionId: id, Data: big })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 413 },
    });
    await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: big.subarray(1) }));
    expect((await receivedCount(1))[0]).toHaveLength(128 * 1024);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(`[${'{},'.repeat(50_000)}{}]`);
    expect(await closed).toBe(1009);
    client.destroy();
  });

  it('refuses an unsigned post before reading its body', async () => {
    const { socket, id } = await openSocket();
    const outcome = await streamBody(connectionUrl(id), 50 * MB);
    expect(outcome.status).toBe(403);
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(25 * MB);
    socket.close();
  });
});
