import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localStackFile, writeLocalStackFile } from '../../client/src/node/local-stack-file';
import { cli } from './cli-harness';

/**
 * Two `npm start`s of one user (say a stack in each of two checkouts) and one that was killed
 * outright: the command line talks to the one started last, says so on stderr with how to pick the
 * other, and drops the dead one's file. Stand-ins for the stacks: a process that lives (its pid in
 * the file) and an HTTP server that records which key reached it.
 */
const home = mkdtempSync(join(tmpdir(), 'comfy-exec-cli-home-'));
const env = { PATH: process.env.PATH ?? '', HOME: home, COMFY_EXEC_CONFIG: join(home, 'no-config.json') };
const children: ChildProcess[] = [];
const servers: Server[] = [];
const reached: string[] = [];

async function fakeStack(name: string, startedAt: string, alive = true) {
  const server = createServer((req, res) => {
    reached.push(`${name} ${req.method} ${req.url?.split('?')[0]}`);
    res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const child = spawn('sleep', [alive ? '600' : '0'], { stdio: 'ignore' });
  children.push(child);
  if (!alive) await new Promise((resolve) => child.once('exit', resolve));
  const pid = child.pid!;
  const file = writeLocalStackFile(
    {
      api_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`,
      api_key: `key-${name}`,
      pid,
      started_at: startedAt,
    },
    localStackFile(env, pid),
  );
  return { pid, file };
}

let first: Awaited<ReturnType<typeof fakeStack>>;
let second: Awaited<ReturnType<typeof fakeStack>>;
let killed: Awaited<ReturnType<typeof fakeStack>>;
beforeAll(async () => {
  first = await fakeStack('first', '2026-12-01T10:00:00.000Z');
  second = await fakeStack('second', '2026-12-01T11:00:00.000Z');
  killed = await fakeStack('killed', '2026-12-01T12:00:00.000Z', false);
});
afterAll(() => {
  for (const child of children) child.kill();
  for (const server of servers) server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('comfy-exec with several local stacks running', () => {
  it('talks to the one started last, says which on stderr and how to pick the other, and drops the dead one', async () => {
    const { stderr } = await cli(['list'], env);
    expect(reached).toEqual(['second GET /prod/executes']);
    expect(stderr).toContain(
      `2 local stacks are running; using this project's, else the one started last: pid ${second.pid} at http://127.0.0.1:`,
    );
    expect(stderr).toContain(`also running: pid ${first.pid} at `);
    expect(stderr).toContain(`set COMFY_EXEC_LOCAL_STACK_FILE to its file, or give --api-url and --api-key`);
    expect(stderr).toContain(first.file);
    expect(stderr).not.toContain('key-');
    expect(existsSync(killed.file)).toBe(false);
    expect(existsSync(first.file) && existsSync(second.file)).toBe(true);
  });

  it('talks to the other when told its file, and then says nothing about a choice', async () => {
    reached.length = 0;
    const { stderr } = await cli(['list'], { ...env, COMFY_EXEC_LOCAL_STACK_FILE: first.file });
    expect(reached).toEqual(['first GET /prod/executes']);
    expect(stderr).not.toContain('local stacks are running');
  });
});
