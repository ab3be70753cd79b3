import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchInputUrl, InputFetchError } from '../../container/src/fetch-input-url';

// A web server on loopback plays every kind of remote server; the fetcher is allowed loopback
// (as in the local stack) except where a test is about refusing it.
let server: Server;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'fetch-input-'));
beforeAll(async () => {
  server = createServer((req, res) => {
    const route = req.url ?? '';
    if (route === '/ok') return res.writeHead(200, { 'content-type': 'image/png' }).end('12345');
    if (route === '/announced-big') return res.writeHead(200, { 'content-length': '1000000' }).end();
    if (route === '/streamed-big') {
      res.writeHead(200);
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      return res.end();
    }
    if (route === '/missing') return res.writeHead(404).end();
    if (route === '/broken') return res.writeHead(503).end();
    if (route === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 2000);
    if (route === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (route === '/hop') return res.writeHead(301, { location: '/ok' }).end();
    if (route.startsWith('/to/'))
      return res.writeHead(307, { location: decodeURIComponent(route.slice(4)) }).end();
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = { maxBytes: 1000, timeoutMs: 1000, allowLoopback: true };
const target = (name: string) => join(dir, name);

async function failure(
  url: string,
  extra: Partial<typeof options> & { resolve?: (host: string) => Promise<string[]> } = {},
) {
  const error = await fetchInputUrl(url, target('x'), { ...options, ...extra }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputFetchError);
  return error as InputFetchError;
}

describe('the container fetches input URLs safely', () => {
  it('downloads a file, following redirects, and reports its content type', async () => {
    expect(await fetchInputUrl(`${base}/hop`, target('ok'), options)).toEqual({
      contentType: 'image/png',
      bytes: 5,
    });
    expect(readFileSync(target('ok'), 'utf8')).toBe('12345');
  });

  it.each([
    ['an announced size over the cap', '/announced-big', 'over the limit of 1000', 'refused'],
    ['more bytes than the cap, unannounced', '/streamed-big', 'larger than 1000 bytes', 'refused'],
    ['HTTP 404', '/missing', 'answered HTTP 404', 'refused'],
    ['HTTP 503', '/broken', 'answered HTTP 503', 'unavailable'],
    ['a server too slow', '/slow', 'did not answer within 1000 ms', 'unavailable'],
    ['a redirect loop', '/loop', 'redirects too often', 'refused'],
  ])('fails on %s', async (_what, path, message, kind) => {
    const error = await failure(`${base}${path}`);
    expect(error.message).toContain(message);
    expect(error.kind).toBe(kind);
  });

  it.each([
    'http://10.0.0.1/x.png',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:192.168.0.1]/x.png',
    'http://100.64.0.1/x.png',
  ])('refuses a redirect to %s before connecting to it', async (to) => {
    const error = await failure(`${base}/to/${encodeURIComponent(to)}`);
    expect(error.message).toContain('which is not a public address');
  });

  it('outside the local stack: refuses http://, loopback, and names resolving to private addresses', async () => {
    expect((await failure(`${base}/ok`, { allowLoopback: false })).message).toContain('only https://');
    expect((await failure('https://127.0.0.1/x', { allowLoopback: false })).message).toContain(
      'not a public address',
    );
    const rebound = await failure('https://images.example/x.png', {
      allowLoopback: false,
      resolve: async () => ['93.184.216.34', '10.1.2.3'],
    });
    expect(rebound.message).toBe('images.example resolves to 10.1.2.3, which is not a public address');
    const unknown = await failure('https://nowhere.example/x.png', {
      resolve: async () => {
        throw new Error('ENOTFOUND');
      },
    });
    expect(unknown.message).toBe('the host nowhere.example does not resolve');
  });
});
