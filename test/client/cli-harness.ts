import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';

const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'client/bin/comfy-exec.js');

export interface NpmStart {
  /** `npm start`'s process, the leader of its process group (every part of the stack is in it). */
  pid: number;
  apiUrl: string;
  apiKey: string;
  s3: S3Client;
  bucket: string;
  /** The file `npm start` tells the command line about itself in. */
  stackFile: string;
  /** An empty folder for this run's files. */
  dir: string;
  stop(): Promise<void>;
}

/** `npm start` as a user runs it (its own process group), telling the CLI where it is through its own file. */
export async function startNpmStart(env: Record<string, string>): Promise<NpmStart> {
  const dir = mkdtempSync(join(tmpdir(), 'comfy-exec-cli-'));
  const stackFile = join(dir, 'local-stack.json');
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: '0', COMFY_EXEC_LOCAL_STACK_FILE: stackFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
  const deadline = Date.now() + 90_000;
  const find = (pattern: RegExp) => lines.map((line) => pattern.exec(line)).find(Boolean);
  while (!lines.includes('Ready.') || !find(/s3rver at (\S+) .*bucket (\S+)/)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not get ready:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const [, s3Endpoint, bucket] = find(/s3rver at (\S+) .*bucket (\S+)/)!;
  // Each npm start makes its own AWS key pair, and leaves it in its file for direct clients.
  const { aws } = JSON.parse(readFileSync(stackFile, 'utf8')) as {
    aws: { access_key_id: string; secret_access_key: string };
  };
  return {
    pid: child.pid!,
    apiUrl: find(/^API URL: (\S+)$/)![1]!,
    apiKey: find(/^API key: (\S+) \(id key-[0-9a-f]{12}\)$/)![1]!,
    s3: new S3Client({
      endpoint: s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: aws.access_key_id, secretAccessKey: aws.secret_access_key },
    }),
    bucket: bucket!,
    stackFile,
    dir,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment the command line sees: no API settings and no config file of the user's, so
 * it finds `npm start` through its file, as it would in a second terminal.
 */
export function cliEnv(stack: Pick<NpmStart, 'stackFile' | 'dir'>, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: stack.dir,
    COMFY_EXEC_LOCAL_STACK_FILE: stack.stackFile,
    COMFY_EXEC_CONFIG: join(stack.dir, 'no-config.json'),
    ...extra,
  };
  return env;
}

/** Runs `comfy-exec ARGS` to its end, without a terminal. */
export function cli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}

/** Starts `comfy-exec ARGS` without a terminal: its process (to signal), and its end. */
export function startCli(args: string[], env: Record<string, string>, cwd?: string) {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<CliResult>((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Runs `comfy-exec ARGS` in a pseudo-terminal (util-linux `script`), so it sees a TTY on
 * stdin, stdout and stderr. `react` sees the output so far and may type into the terminal.
 */
export function cliInTerminal(
  args: string[],
  env: Record<string, string>,
  react: (output: string, type: (text: string) => void) => void = () => {},
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    // exec: no shell in between to take the terminal's Ctrl-C; `script -e` exits with the command's code.
    const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], {
      env: { ...env, TERM: 'xterm', COLUMNS: '120', LINES: '40' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const type = (text: string) => child.stdin.write(text);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      react(output, type);
    });
    child.on('close', (code) => {
      child.stdin.end();
      resolve({ code, output });
    });
  });
}
