import {
  DeployOnlyError,
  DomainError,
  EndpointNotFoundError,
  ExecuteNotFoundError,
  ForbiddenError,
  GpuQuotaExceededError,
  IdempotencyConflictError,
  InputNotFoundError,
  InputTooLargeError,
  InvocationRejectedError,
  InvocationUnavailableError,
  ModelExistsError,
  ModelNotFoundError,
  PromptValidationError,
  RequestValidationError,
  SourceUnavailableError,
  TemplateExistsError,
  TemplateNotFoundError,
  TooManyRequestsError,
  WorkflowNotFoundError,
} from '../domain/errors';
import { WorkflowConversionError } from '../domain/workflow/convert-workflow';
import { type EnvelopeContent, reasonPhrase } from './envelope';

/** The one table from error class to HTTP status. Anything not listed is a 500. */
const STATUS_BY_ERROR: [new (...args: never[]) => DomainError, number][] = [
  [RequestValidationError, 400],
  [WorkflowConversionError, 400],
  [PromptValidationError, 400],
  [EndpointNotFoundError, 400],
  [InvocationRejectedError, 400],
  [ForbiddenError, 403],
  [ExecuteNotFoundError, 404],
  [ModelNotFoundError, 404],
  [InputNotFoundError, 404],
  [WorkflowNotFoundError, 404],
  [TemplateNotFoundError, 404],
  [DeployOnlyError, 405],
  [InputTooLargeError, 413],
  [IdempotencyConflictError, 409],
  [ModelExistsError, 409],
  [TemplateExistsError, 409],
  [TooManyRequestsError, 429],
  [SourceUnavailableError, 502],
  [InvocationUnavailableError, 503],
];

export interface ErrorResponse extends EnvelopeContent {
  statusCode: number;
  /** Retry-After on a 429 that knows when it ends. */
  headers?: Record<string, string>;
}

/**
 * Status and envelope content for an error. 4xx messages are shown to the client; a 500 says
 * only its reason phrase (the detail goes to the log). GetExecute's 404 keeps ESD's quirk:
 * the text in `data`, the reason phrase as `message`.
 */
export function errorResponse(error: unknown): ErrorResponse {
  const entry = STATUS_BY_ERROR.find(([type]) => error instanceof type);
  if (!entry || !(error instanceof DomainError)) return { statusCode: 500, message: reasonPhrase(500) };
  const statusCode = entry[1];
  if (error instanceof ExecuteNotFoundError)
    return { statusCode, data: error.message, message: reasonPhrase(404) };
  if (error instanceof GpuQuotaExceededError)
    return {
      statusCode,
      data: error.data,
      message: error.message,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    };
  return { statusCode, data: error.data, message: error.message };
}
