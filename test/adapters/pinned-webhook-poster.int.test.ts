import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinnedWebhookPoster } from '../../lambda/adapters/pinned-webhook-poster';

// A receiver on loopback (the unit tests' only network): what it was sent, and how it answers.
const seen: { host?: string; headers: IncomingHttpHeaders; body: string }[] = [];
let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        host: request.headers.host,
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (request.url === '/moved')
        response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      else if (request.url === '/chatty') response.writeHead(200).end(Buffer.alloc(1024 * 1024, 'x'));
      else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('PinnedWebhookPoster', () => {
  it('connects to the checked address whatever the name resolves to, keeping the name for Host', async () => {
    // `.invalid` never resolves (RFC 6761): only the pinned address can have been used.
    const answer = await new PinnedWebhookPoster(5000).post(
      `http://rebound.invalid:${port}/hook`,
      { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      '{"type":"execute.success"}',
      '127.0.0.1',
    );
    expect(answer).toEqual({ status: 204 });
    expect(seen.at(-1)).toMatchObject({
      host: `rebound.invalid:${port}`,
      body: '{"type":"execute.success"}',
      headers: { 'webhook-id': 'msg_1', 'content-length': '26' },
    });
  });

  it('does not follow a redirect, and reads a long answer only up to its cap', async () => {
    const poster = new PinnedWebhookPoster(5000);
    expect(await poster.post(`http://receiver.invalid:${port}/moved`, {}, '{}', '127.0.0.1')).toEqual({
      status: 302,
    });
    expect(seen.filter((request) => request.host?.startsWith('127.0.0.1:1'))).toEqual([]);
    expect(await poster.post(`http://receiver.invalid:${port}/chatty`, {}, '{}', '127.0.0.1')).toEqual({
      status: 200,
    });
  });

  it('says why a receiver could not be reached', async () => {
    const closed = await new PinnedWebhookPoster(5000).post(
      'http://receiver.invalid:1/hook',
      {},
      '{}',
      '127.0.0.1',
    );
    expect(closed.error).toMatch(/could not reach the receiver: ECONNREFUSED/);
  });
});
