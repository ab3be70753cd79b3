import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RetryInfo } from '../../client/src/http';
import { ComfyExecClient, NetworkError } from '../../client/src/index';
import { cli, cliEnv, cliInTerminal } from './cli-harness';

const refused = (address: string) =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' }),
  });

/** A client whose fetch is refused `times` times, then answers an empty ListExecutes page. */
function refusingClient(apiUrl: string, times: number) {
  let calls = 0;
  const retried: RetryInfo[] = [];
  const client = new ComfyExecClient({
    apiUrl,
    apiKey: 'k',
    retry: { minDelayMs: 1, maxDelayMs: 2, onRetry: (info) => retried.push(info) },
    fetch: (async () => {
      if (calls++ < times) throw refused(new URL(apiUrl).host);
      return new Response(
        JSON.stringify({ statusCode: 200, data: { executes: [], last_evaluated_key: null } }),
        { status: 200 },
      );
    }) as unknown as typeof fetch,
  });
  return { client, retried, calls: () => calls };
}

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** An HTTP server on loopback answering with `answer`, one call per request. */
async function fakeApi(answer: (request: number, socket: { destroy(): void }) => [number, unknown] | null) {
  let requests = 0;
  const server = createServer((req, res) => {
    const reply = answer(++requests, req.socket);
    if (!reply) return;
    res.writeHead(reply[0], { 'content-type': 'application/json' }).end(JSON.stringify(reply[1]));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`;
}

const emptyList = {
  statusCode: 200,
  debug: {},
  message: '',
  data: { executes: [], last_evaluated_key: null },
};

function envFor(apiUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'comfy-exec-unreachable-'));
  return cliEnv(
    { stackFile: join(dir, 'none.json'), dir },
    { COMFY_EXEC_API_URL: apiUrl, COMFY_EXEC_API_KEY: 'k' },
  );
}

describe('an API that cannot be reached', () => {
  it('is given up on at the first refused connection to this machine', async () => {
    const { client, retried, calls } = refusingClient('http://127.0.0.1:9/prod/', 1);
    const error = await client.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe(
      'ListExecutes: cannot reach http://127.0.0.1:9/prod/executes: fetch failed (ECONNREFUSED)',
    );
    expect([calls(), retried.length]).toEqual([1, 0]);
  });

  it('is retried elsewhere, each retry told with its reason, wait and count', async () => {
    const { client, retried } = refusingClient('https://api.example/prod/', 2);
    await expect(client.list()).resolves.toMatchObject({ items: [] });
    expect(
      retried.map(({ reason, unreachable, attempt, retries }) => [reason, unreachable, attempt, retries]),
    ).toEqual([
      ['ECONNREFUSED', true, 1, 5],
      ['ECONNREFUSED', true, 2, 5],
    ]);
    for (const { delayMs } of retried) expect(delayMs).toBeGreaterThanOrEqual(1);
  });

  it('makes the command line say at once that nothing listens, naming the URL and npm start', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const result = await cli(['--verbose', 'list'], envFor(`http://127.0.0.1:${port}/prod/`));
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('retrying');
    expect(result.stderr).toContain(
      `nothing listens at http://127.0.0.1:${port}: is the local stack running?`,
    );
    expect(result.stderr).toContain('`npm start`');
  });

  it('shows each retry on a terminal, and says nothing of them in a pipe', async () => {
    const flaky = () =>
      fakeApi((request, socket) => {
        if (request === 1) {
          socket.destroy();
          return null;
        }
        return request === 2 ? [503, { message: 'Service Unavailable' }] : [200, emptyList];
      });
    const terminal = await cliInTerminal(['list'], envFor(await flaky()));
    expect(terminal.code, terminal.output).toBe(0);
    expect(terminal.output).toMatch(/^API unreachable \(\w+\), retrying in [\d.]+s \(1\/5\)\r?$/m);
    expect(terminal.output).toMatch(/^API answered HTTP 503, retrying in [\d.]+s \(2\/5\)\r?$/m);
    const piped = await cli(['list'], envFor(await flaky()));
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toBe('');
  });
});
