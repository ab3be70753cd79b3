import { InvokeEndpointAsyncCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { EndpointNotFoundError, InvocationRejectedError, InvocationUnavailableError } from '../domain/errors';
import type { AcceptedInvocation, AsyncInvocation, AsyncInvoker } from '../domain/ports';

export interface InvokerSettings {
  /** Time allowed in SageMaker's queue (60–21600 s). */
  requestTtlSeconds: number;
  /** Time allowed in the container (1–3600 s). */
  invocationTimeoutSeconds: number;
}

const UNAVAILABLE = new Set(['ThrottlingException', 'ServiceUnavailable', 'InternalFailure', 'TimeoutError']);

/** Maps SageMaker's failures to what a client can act on (sagemaker-async.md §1.3). */
export function translateInvokeError(error: unknown, endpointName: string): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (error.name === 'ValidationError') {
    return /not found/i.test(error.message)
      ? new EndpointNotFoundError(`Endpoint ${endpointName} not found: ${error.message}`)
      : new InvocationRejectedError(`SageMaker rejected the invocation: ${error.message}`);
  }
  const transient =
    UNAVAILABLE.has(error.name) ||
    (status !== undefined && status >= 500) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes((error as { code?: string }).code ?? '');
  if (transient) {
    return new InvocationUnavailableError(
      `SageMaker endpoint ${endpointName} is busy or unavailable (${error.name}: ${error.message}); retry later`,
    );
  }
  return error;
}

/** AsyncInvoker on SageMaker runtime's InvokeEndpointAsync; InferenceId is the prompt_id. */
export class SageMakerAsyncInvoker implements AsyncInvoker {
  constructor(
    private readonly client: SageMakerRuntimeClient,
    private readonly settings: InvokerSettings,
  ) {}

  async invoke(invocation: AsyncInvocation): Promise<AcceptedInvocation> {
    try {
      const response = await this.client.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: invocation.endpointName,
          InputLocation: invocation.inputLocation,
          InferenceId: invocation.inferenceId,
          ContentType: 'application/json',
          Accept: 'application/json',
          RequestTTLSeconds: this.settings.requestTtlSeconds,
          InvocationTimeoutSeconds: this.settings.invocationTimeoutSeconds,
        }),
      );
      return {
        inferenceId: response.InferenceId ?? invocation.inferenceId,
        outputLocation: response.OutputLocation ?? '',
        failureLocation: response.FailureLocation ?? null,
      };
    } catch (error) {
      throw translateInvokeError(error, invocation.endpointName);
    }
  }
}
