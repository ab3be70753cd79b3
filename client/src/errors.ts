import type { ApiPrompt, Execute } from './types';

/** ComfyUI's error shape, as CreateExecute and ComfyUI's own /prompt answer it. */
export interface ComfyError {
  type: string;
  message: string;
  details: string;
  extra_info?: Record<string, unknown>;
}

/** ComfyUI's `node_errors`: per node id, what is wrong with it. */
export type NodeErrors = Record<
  string,
  { errors: ComfyError[]; dependent_outputs?: string[]; class_type: string }
>;

/** Every error this library throws. */
export class ComfyExecError extends Error {
  override name = 'ComfyExecError';
}

/** The API answered with an error status (after any retries). */
export class ApiError extends ComfyExecError {
  override name = 'ApiError';
  constructor(
    message: string,
    /** The HTTP status. */
    readonly status: number,
    /** The answer's body: ESD's envelope for the API's own errors, `{message}` for the gateway's. */
    readonly body: unknown,
    /** The envelope's debug links (Lambda, log stream, X-Ray trace), when the API sent them. */
    readonly debug?: { function_url: string; log_url: string; trace_url: string },
  ) {
    super(message);
  }
}

/** CreateExecute (or a dry run) refused the prompt: ComfyUI's `error` and `node_errors`. */
export class PromptValidationError extends ApiError {
  override name = 'PromptValidationError';
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly error: ComfyError,
    readonly nodeErrors: NodeErrors,
    /**
     * A refused dry run's prompt, converted to the API format when it was a UI workflow: the
     * graph nodeErrors name, to fix (e.g. `setInput`) and send again.
     */
    readonly prompt?: ApiPrompt,
  ) {
    super(message, status, body);
  }
}

/** The API could not be reached (after any retries): DNS, refused connection, reset, TLS. */
export class NetworkError extends ComfyExecError {
  override name = 'NetworkError';
}

/**
 * An execute ended `failed` or `cancelled`. `nodeErrors` places an execution error on its node,
 * as ComfyUI's `node_errors` would (empty when the failure belongs to no node).
 */
export class ExecuteFailedError extends ComfyExecError {
  override name = 'ExecuteFailedError';
  readonly nodeErrors: NodeErrors;
  constructor(readonly execute: Execute) {
    super(execute.message || `execute ${execute.prompt_id} ended ${execute.status}`);
    this.nodeErrors = nodeErrorsOf(execute);
  }
}

function nodeErrorsOf(execute: Execute): NodeErrors {
  const error = execute.error as
    | {
        type?: string;
        node_id?: unknown;
        node_type?: unknown;
        exception_type?: unknown;
        exception_message?: unknown;
      }
    | null
    | undefined;
  if (!error || typeof error.node_id !== 'string') return {};
  return {
    [error.node_id]: {
      class_type: String(error.node_type ?? ''),
      errors: [
        {
          type: error.type ?? 'execution_error',
          message: [error.exception_type, error.exception_message].filter(Boolean).join(': '),
          details: '',
        },
      ],
    },
  };
}
