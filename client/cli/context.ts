import { ComfyExecClient } from '../src/index';
import { resolveConnection } from './config';
import { retryNotice } from './retry-notice';

export interface GlobalFlags {
  apiUrl?: string;
  apiKey?: string;
  profile?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** What every command needs: the client (built on first use), and where to write. */
export interface Context {
  client(): ComfyExecClient;
  /** Results: stdout, so `$(comfy-exec run …)` gets only them. */
  out(line: string): void;
  /** Problems: stderr, always. */
  err(line: string): void;
  /** What is going on: stderr, unless --quiet. */
  info(line: string): void;
  /** Ends the command with this exit code. */
  exit(code: number): void;
}

export function createContext(flags: () => GlobalFlags, setExitCode: (code: number) => void): Context {
  let client: ComfyExecClient | undefined;
  const context: Context = {
    client() {
      if (client) return client;
      const options = flags();
      const connection = resolveConnection(options);
      if (options.verbose) context.err(`API ${connection.apiUrl} (from ${connection.source})`);
      // Not behind --quiet: with several local stacks, talking to an unexpected one must be seen.
      if (connection.notice) context.err(connection.notice);
      client = new ComfyExecClient({
        apiUrl: connection.apiUrl,
        apiKey: connection.apiKey,
        retry: { onRetry: retryNotice(flags) },
      });
      return client;
    },
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    info: (line) => {
      if (!flags().quiet) process.stderr.write(`${line}\n`);
    },
    exit: setExitCode,
  };
  return context;
}
