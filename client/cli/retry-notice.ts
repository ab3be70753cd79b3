import type { RetryInfo } from '../src/http';

/** API operations are named as the OpenAPI document names them (ListExecutes); transfers by what they move. */
const isApiOperation = (operation: string) => /^[A-Z][A-Za-z]+$/.test(operation);

const seconds = (ms: number) => `${ms < 10_000 ? Number((ms / 1000).toFixed(1)) : Math.round(ms / 1000)}s`;

/**
 * What a person sees of a retry: with --verbose every retry, with its operation; on a terminal a
 * short line ("API unreachable (ECONNREFUSED), retrying in 1s (2/5)"), so a command that waits on
 * an unreachable API never looks hung; elsewhere (scripts, CI logs) nothing unless --verbose.
 */
export function retryNotice(
  flags: () => { verbose?: boolean; quiet?: boolean },
  stream: NodeJS.WriteStream = process.stderr,
): (info: RetryInfo) => void {
  return (info) => {
    const { verbose, quiet } = flags();
    const next = `${seconds(info.delayMs)}, ${info.attempt}/${info.retries}`;
    if (verbose) {
      stream.write(`retrying ${info.operation} after attempt ${info.attempt}: ${info.reason} (in ${next})\n`);
      return;
    }
    if (!stream.isTTY || quiet) return;
    const what = isApiOperation(info.operation) ? 'API' : `${info.operation}: storage`;
    const problem = info.unreachable ? `unreachable (${info.reason})` : `answered ${info.reason}`;
    stream.write(
      `${what} ${problem}, retrying in ${seconds(info.delayMs)} (${info.attempt}/${info.retries})\n`,
    );
  };
}
