import type { ComfyValidationFailure } from './comfy-errors';
import type { PromptGraph } from './prompt-graph';

/**
 * Typed failures the use cases raise. The HTTP edge maps each class to one status code in a
 * single table (lambda/http/error-status.ts); anything else is an unexpected 500.
 */
export abstract class DomainError extends Error {
  /** Optional payload for the envelope's `data` (a use case may attach what the client needs to follow up). */
  data?: unknown;
  constructor(message: string, data?: unknown) {
    super(message);
    this.name = new.target.name;
    this.data = data;
  }
}

/** The request itself is malformed (bad JSON, unknown key, wrong type). */
export class RequestValidationError extends DomainError {}

/** The prompt graph fails validation; `data` is ComfyUI's `{error, node_errors}`. */
export class PromptValidationError extends DomainError {
  declare readonly data: ComfyValidationFailure & { prompt?: PromptGraph };
  constructor(
    message: string,
    failure: ComfyValidationFailure & { prompt?: PromptGraph },
    /**
     * The API-format graph that failed (a UI workflow's conversion), which node_errors name: kept
     * out of `data` except for a dry run, whose caller fixes the prompt it shows.
     */
    readonly graph?: PromptGraph,
  ) {
    super(message, failure);
  }
}

/** The execute does not exist or belongs to someone else (never tell which). */
export class ExecuteNotFoundError extends DomainError {
  constructor(readonly promptId: string) {
    // ESD's 404 carries this text in `data`, and the reason phrase as message.
    super(`execute not found for prompt_id: ${promptId}`);
  }
}

/** The prompt_id already names an execute created from a different request. */
export class IdempotencyConflictError extends DomainError {}

/** The endpoint named in the request is not one this deployment routes to, or SageMaker lacks it. */
export class EndpointNotFoundError extends DomainError {}

/** SageMaker refused the invocation for a reason the client can act on (ValidationError). */
export class InvocationRejectedError extends DomainError {}

/** SageMaker throttled us or was unavailable after the SDK's retries: try again later. */
export class InvocationUnavailableError extends DomainError {}

/** The caller has no uploaded input of that name (another key's inputs are never revealed). */
export class InputNotFoundError extends DomainError {}

/** A declared upload is larger than this deployment accepts. */
export class InputTooLargeError extends DomainError {}

/** The caller has too much in flight (a per-key cap); `data` says what and how much. */
export class TooManyRequestsError extends DomainError {}

/** CreateExecute's 429 when the key has its cap of executes created or running. */
export const unfinishedCapMessage = (cap: number) =>
  `this API key has ${cap} executes created or running, the most this deployment allows (maxUnfinishedPerKey); wait for one to finish or cancel one`;

/**
 * CreateExecute's 429 when the key has used its GPU seconds of the UTC day (gpuSecondsPerDay):
 * nothing is queued; `retryAfterSeconds` is the time until the day ends (the Retry-After header).
 */
export class GpuQuotaExceededError extends TooManyRequestsError {
  constructor(
    usedSeconds: number,
    capSeconds: number,
    readonly resetsAt: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `this API key has used ${usedSeconds} of its ${capSeconds} GPU seconds today (UTC), the most this deployment allows (context gpuSecondsPerDay; npm start: GPU_SECONDS_PER_DAY); it resets at ${resetsAt}`,
      { used_gpu_seconds: usedSeconds, cap_gpu_seconds: capSeconds, resets_at: resetsAt },
    );
  }
}

/** The caller may not do this (only the operator's model writers change the library). */
export class ForbiddenError extends DomainError {}

/** No such model in the library. */
export class ModelNotFoundError extends DomainError {}

/** A model of that folder and name is already in the library. */
export class ModelExistsError extends DomainError {}

/** No deployed environment (ESD "workflow") of that name. */
export class WorkflowNotFoundError extends DomainError {}

/** The operation is a deploy here (an environment is a file in the repository), not an API call. */
export class DeployOnlyError extends DomainError {}

/** A server the deployment fetches from on the caller's behalf (a model's source URL) failed. */
export class SourceUnavailableError extends DomainError {}

/** No template of that name among the caller's (another key's templates are never seen). */
export class TemplateNotFoundError extends DomainError {}

/** CreateSchema of a name the caller already has (ESD's text: "{name} already exists"). */
export class TemplateExistsError extends DomainError {}
