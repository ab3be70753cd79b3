import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyId } from '../../local/usage-settings';
import { comfySocket } from './comfy-socket-client';

const ROOT = join(import.meta.dirname, '../..');
const KEY = 'npmStartKey123456789';

function groupProcesses(pgid: number): string[] {
  const table = execFileSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' });
  return table.split('\n').filter((line) => line.trim().split(/\s+/)[0] === String(pgid));
}

let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.pid && groupProcesses(child.pid).length > 0) process.kill(-child.pid, 'SIGKILL');
});

describe('npm start', () => {
  it('prints API URL, API key, a working curl example and Ready., logs every part by name, and stops cleanly on SIGINT', async () => {
    // As a user runs it in a terminal: its own process group, so Ctrl-C reaches every process of it.
    child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        // Its own discovery file: a test never writes the user's ~/.comfy-exec.
        COMFY_EXEC_LOCAL_STACK_FILE: join(mkdtempSync(join(tmpdir(), 'npm-start-e2e-')), 'local-stack.json'),
        PORT: '0',
        API_KEY: KEY,
        SIM_STEP_MS: '5',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Context keys of a deployment, as npm start's environment.
        ALLOW_NODES: 'LoadLatent',
        MAX_CONNECTIONS_PER_KEY: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const errors: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => errors.push(line));
    const deadline = Date.now() + 90_000;
    while (!lines.includes('Ready.')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not get ready:\n${[...lines, ...errors].join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const banner = lines.filter((line) => !line.startsWith('npm warn') && line.trim() !== '');
    expect(banner[0]).toMatch(/^API URL: http:\/\/127\.0\.0\.1:\d+\/prod\/$/);
    expect(banner[1]).toBe(`API key: ${KEY} (id ${apiKeyId(KEY)})`);
    expect(banner[2]).toMatch(/^curl /);
    expect(banner[3]).toMatch(
      /^ComfyUI clients: http:\/\/127\.0\.0\.1:\d+\/prod\/comfyui\/ \(websocket ws:\/\/127\.0\.0\.1:\d+\/prod\/comfyui\/ws\)/,
    );
    expect(banner[4]).toMatch(/^Console: http:\/\/127\.0\.0\.1:\d+\/console\/$/);
    expect(banner[5]).toBe('Ready.');
    const page = await fetch(banner[4]!.slice('Console: '.length));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const apiUrl = banner[0]!.slice('API URL: '.length);

    const created = JSON.parse(execFileSync('bash', ['-c', banner[2]!], { encoding: 'utf8' }));
    expect(created).toMatchObject({ statusCode: 201, data: { status: 'created' } });
    let status = 'created';
    for (let i = 0; i < 300 && !['success', 'failed', 'cancelled'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const response = await fetch(`${apiUrl}executes/${created.data.prompt_id}`, {
        headers: { 'x-api-key': KEY },
      });
      status = ((await response.json()) as { data: { status: string } }).data.status;
    }
    expect(status).toBe('success');

    // ALLOW_NODES lets LoadLatent through to ComfyUI's own check; MAX_CONNECTIONS_PER_KEY holds.
    const dryRun = await fetch(`${apiUrl}executes`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        dry_run: true,
        prompt: {
          '1': { class_type: 'LoadLatent', inputs: { latent: 'x.latent' } },
          '2': { class_type: 'SaveLatent', inputs: { samples: ['1', 0], filename_prefix: 'l' } },
        },
      }),
    });
    expect(JSON.stringify(await dryRun.json())).not.toContain('node_not_allowed');
    const socketUrl = /\(websocket (ws:\S+)\)/.exec(banner[3]!)![1]!;
    const first = await comfySocket(socketUrl, KEY, 'npm-start-1');
    await expect(comfySocket(socketUrl, KEY, 'npm-start-2')).rejects.toMatchObject({ statusCode: 429 });
    first.close();
    // Powertools writes WARN and ERROR to stderr: those lines are prefixed and kept as INFO's are.
    await expect(comfySocket(socketUrl, undefined, 'no-credential')).rejects.toMatchObject({
      statusCode: 401,
    });
    const refusedLine = () => lines.find((line) => line.includes('websocket connect refused'));
    for (let i = 0; i < 200 && !refusedLine(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(refusedLine()).toMatch(/^\[lambda\] .*websocket connect refused/);
    expect(errors.filter((line) => line.includes('websocket connect refused'))).toEqual([]);

    const parts = new Set(
      lines.slice(lines.indexOf('Ready.') + 1).map((line) => /^\[([a-z0-9]+)\] /.exec(line)?.[1]),
    );
    for (const part of ['dynamodb', 's3', 'comfyui', 'sagemaker', 'container', 'api', 'lambda'])
      expect(parts, part).toContain(part);
    const unprefixed = lines
      .slice(lines.indexOf('Ready.') + 1)
      .filter((line) => !/^\[[a-z0-9]+\] /.test(line));
    expect(unprefixed).toEqual([]);

    const pgid = child.pid!;
    const stoppedAt = Date.now();
    process.kill(-pgid, 'SIGINT');
    await new Promise<void>((resolve) =>
      child!.exitCode !== null ? resolve() : child!.once('exit', () => resolve()),
    );
    for (let i = 0; i < 50 && groupProcesses(pgid).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(groupProcesses(pgid)).toEqual([]);
    await expect(fetch(apiUrl)).rejects.toThrow();
  });
});
