import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { describe, expect, it } from 'vitest';
import {
  SageMakerAsyncInvoker,
  translateInvokeError,
} from '../../../lambda/adapters/sagemaker-async-invoker';
import {
  EndpointNotFoundError,
  InvocationRejectedError,
  InvocationUnavailableError,
} from '../../../lambda/domain/errors';
import { freePort } from '../../../local/free-port';

const named = (name: string, message = 'm', extra: object = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('translateInvokeError', () => {
  it('maps SageMaker failures to what the client can act on', () => {
    expect(
      translateInvokeError(named('ValidationError', 'Endpoint e of account 1 not found.'), 'e'),
    ).toBeInstanceOf(EndpointNotFoundError);
    expect(translateInvokeError(named('ValidationError', 'InferenceId too long'), 'e')).toBeInstanceOf(
      InvocationRejectedError,
    );
    for (const name of ['ThrottlingException', 'ServiceUnavailable', 'InternalFailure']) {
      expect(translateInvokeError(named(name), 'e')).toBeInstanceOf(InvocationUnavailableError);
    }
    expect(
      translateInvokeError(named('Weird', 'm', { $metadata: { httpStatusCode: 502 } }), 'e'),
    ).toBeInstanceOf(InvocationUnavailableError);
    const denied = named('AccessDeniedException');
    expect(translateInvokeError(denied, 'e')).toBe(denied);
  });
});

describe('SageMakerAsyncInvoker', () => {
  it('reports an unreachable SageMaker as unavailable (retry later)', async () => {
    const port = await freePort();
    const client = new SageMakerRuntimeClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const invoker = new SageMakerAsyncInvoker(client, {
      requestTtlSeconds: 60,
      invocationTimeoutSeconds: 60,
    });
    await expect(
      invoker.invoke({ endpointName: 'e', inputLocation: 's3://b/k', inferenceId: 'i' }),
    ).rejects.toThrow(InvocationUnavailableError);
  });
});
