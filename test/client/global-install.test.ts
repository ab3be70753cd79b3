import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs a command to its end: its exit code and output, never a throw. */
async function exec(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return run(file, args, { ...options, maxBuffer: 16 * 1024 * 1024 })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);
}

describe('comfy-exec installed globally, outside the project', () => {
  it('installs from the packed package and runs from any folder, needing nothing but Node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'comfy-exec-global-'));
    // The package as built (the tests run client/dist); `npm pack` itself would build it first.
    const packed = await exec(
      'npm',
      ['pack', './client', '--pack-destination', dir, '--ignore-scripts', '--silent'],
      { cwd: ROOT },
    );
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = join(dir, packed.stdout.trim().split('\n').pop()!);
    const prefix = join(dir, 'prefix');
    const installed = await exec(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        tarball,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      { cwd: dir },
    );
    expect(installed.code, installed.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'comfy-exec');
    expect(existsSync(bin)).toBe(true);
    // The library's dependencies come along for code that imports it; the command needs none of them.
    rmSync(join(prefix, 'lib/node_modules/@comfy-exec/client/node_modules'), {
      recursive: true,
      force: true,
    });

    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: elsewhere,
      COMFY_EXEC_CONFIG: join(elsewhere, 'none.json'),
    };
    const help = await exec(bin, ['--help'], { cwd: elsewhere, env });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: comfy-exec /);

    const api = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ statusCode: 200, data: { executes: [], last_evaluated_key: null } })),
    );
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    try {
      const list = await exec(bin, ['list'], {
        cwd: elsewhere,
        env: {
          ...env,
          COMFY_EXEC_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}/prod/`,
          COMFY_EXEC_API_KEY: 'k',
        },
      });
      expect(list, list.stderr).toMatchObject({ code: 0, stdout: 'no executes\n' });
    } finally {
      await new Promise((r) => api.close(r));
    }
  }, 180_000);

  it('keeps what `run` downloads in the project (./outputs) out of git', () => {
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('outputs/');
  });
});
