import { isLocalRefusal } from '../src/http';
import {
  ApiError,
  ExecuteFailedError,
  ModelImportFailedError,
  NetworkError,
  type NodeErrors,
  PromptEditError,
  PromptSourceError,
  PromptValidationError,
} from '../src/index';
import { InstallError } from './env/install-error';
import { fixHints } from './fix-hints';

/** The command line's exit codes. */
export const EXIT = {
  success: 0,
  /** The execute ended failed or cancelled (or a model import failed). */
  executeFailed: 1,
  /** Bad arguments, an unreadable workflow, or a prompt the API refused as invalid. */
  usage: 2,
  /** The API answered an error, or could not be reached. */
  api: 3,
  /** `env install` could not make the environment (a pack, pip, or ComfyUI's import check failed). */
  installFailed: 4,
  /** Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** A mistake in how the command was called (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** ComfyUI's node errors, one block per node, one line per error. */
export function formatNodeErrors(nodeErrors: NodeErrors): string[] {
  const lines: string[] = [];
  for (const [node, { class_type, errors }] of Object.entries(nodeErrors)) {
    lines.push(`  node ${node} (${class_type}):`);
    for (const error of errors) {
      const input = (error.extra_info as { input_name?: unknown } | undefined)?.input_name;
      const where = typeof input === 'string' ? ` [${input}]` : '';
      lines.push(`    - ${error.message}${error.details ? `: ${error.details}` : ''}${where}`);
    }
  }
  return lines;
}

/** What to print and which code to exit with, for anything a command threw. */
export function describeFailure(error: unknown): { lines: string[]; code: number } {
  if (error instanceof ModelImportFailedError)
    return {
      lines: [
        /nothing was added/.test(error.message) ? error.message : `${error.message}: nothing was added`,
      ],
      code: EXIT.executeFailed,
    };
  if (error instanceof ExecuteFailedError) {
    const { execute } = error;
    return {
      lines: [
        `execute ${execute.prompt_id} ${execute.status}: ${error.message}`,
        ...formatNodeErrors(error.nodeErrors),
        ...(execute.status === 'failed'
          ? [`its log lines, ComfyUI's own among them: comfy-exec logs ${execute.prompt_id}`]
          : []),
      ],
      code: EXIT.executeFailed,
    };
  }
  if (error instanceof PromptValidationError)
    return {
      lines: [error.message, ...formatNodeErrors(error.nodeErrors), ...fixHints(error.nodeErrors)],
      code: EXIT.usage,
    };
  if (error instanceof InstallError)
    return { lines: [error.message, ...error.details.map((line) => `  ${line}`)], code: EXIT.installFailed };
  if (error instanceof UsageError || error instanceof PromptSourceError || error instanceof PromptEditError)
    return { lines: [error.message], code: EXIT.usage };
  if (error instanceof ApiError) {
    // API Gateway's own 403 (a bare {message}) refuses the key; one in ESD's envelope (it has
    // debug links) refuses one thing to a good key, and says what.
    const hint = error.status === 403 && !error.debug ? ' (is the API key right?)' : '';
    // A 400 refuses what was sent (a workflow that cannot be converted, a bad field): the
    // caller's to fix, like an invalid workflow, not a fault of the API.
    return { lines: [`${error.message}${hint}`], code: error.status === 400 ? EXIT.usage : EXIT.api };
  }
  if (error instanceof NetworkError) {
    // The library names the URL it tried; on this machine, nothing listening means no local stack.
    const url = /cannot reach (\S+?):? /.exec(error.message)?.[1];
    if (url && isLocalRefusal(error.cause, url))
      return {
        lines: [
          `${error.message}`,
          `nothing listens at ${new URL(url).origin}: is the local stack running? Start it with \`npm start\` in the project folder (or use --api-url, --profile)`,
        ],
        code: EXIT.api,
      };
  }
  return { lines: [(error as Error)?.message ?? String(error)], code: EXIT.api };
}
