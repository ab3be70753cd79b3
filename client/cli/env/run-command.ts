import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  /** stdout and stderr interleaved as they came, for the failure message. */
  output: string;
}

/** The last lines of a command's output: what a failure message quotes. */
export function lastLines(text: string, count = 20): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count);
}

/**
 * Runs a program (no shell: arguments pass as they are) and waits for it. `echo` passes each
 * chunk of output on as it comes (a long pip install shows its progress); it is kept either way.
 * A program that cannot be started (not found, not executable) rejects, naming it.
 */
export function runCommand(
  program: string,
  args: string[],
  options: { cwd?: string; echo?: (chunk: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: string[] = [];
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      chunks.push(text);
      options.echo?.(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => reject(new Error(`cannot run ${program}: ${error.message}`)));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), output: chunks.join('') }),
    );
  });
}
