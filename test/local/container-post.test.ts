import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToContainer } from '../../local/aws-emulator/container-post';

/**
 * The SageMaker emulator's call to the container. (It replaced `fetch`, whose 300 s header
 * timeout failed every local run over five minutes; that wait is too long for a test.)
 */
let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/never') return; // holds the request open
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('postToContainer', () => {
  it('posts the body and answers status, headers and bytes', async () => {
    const answer = await postToContainer(
      `${url}/invocations`,
      { 'content-type': 'application/json' },
      '{"a":1}',
      5000,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe('7');
    expect(answer.body.toString()).toBe('{"a":1}');
  });

  it('gives up at the invocation timeout it is given', async () => {
    await expect(postToContainer(`${url}/never`, {}, 'x', 300)).rejects.toThrow(/abort/i);
  });
});
