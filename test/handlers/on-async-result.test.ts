import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { txt2imgPrompt } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { snsEvent } from '../support/api-gateway';
import { onAsyncResult } from './handlers';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

function notification(inferenceId: string, fields: Record<string, unknown>) {
  return {
    awsRegion: 'us-east-1',
    eventTime: '2026-11-22T10:02:00.000Z',
    receivedTime: '2026-11-22T10:00:00.000Z',
    requestParameters: { endpointName: 'comfy-async-default' },
    inferenceId,
    eventVersion: '1.0',
    eventSource: 'aws:sagemaker',
    eventName: 'InferenceResult',
    ...fields,
  };
}

async function newExecute() {
  const created = await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } });
  return created.body.data as { prompt_id: string; sagemaker_raw: { FailureLocation: string } };
}

const getData = async (id: string) => (await callApi({ method: 'GET', path: `/executes/${id}` })).body.data;

describe('OnAsyncResult (SNS → Lambda)', () => {
  it('ignores the TestNotification SageMaker sends on endpoint creation', async () => {
    await expect(
      onAsyncResult(
        snsEvent({ eventVersion: '1.0', eventSource: 'aws:sagemaker', eventName: 'TestNotification' }),
      ),
    ).resolves.toBeUndefined();
  });

  it('puts its own Lambda context on its log lines (the local stack shares one logger across functions)', async () => {
    const { logger } = await import('../../lambda/platform/powertools');
    const addContext = vi.spyOn(logger, 'addContext');
    const context = { functionName: 'comfy-exec-on-async-result', awsRequestId: 'r-1' } as Context;
    try {
      await onAsyncResult(
        snsEvent({ eventVersion: '1.0', eventSource: 'aws:sagemaker', eventName: 'TestNotification' }),
        context,
      );
      expect(addContext).toHaveBeenCalledWith(context);
    } finally {
      addContext.mockRestore();
    }
  });

  it('logs, and does not throw on, a notification for an unknown execute', async () => {
    await expect(
      onAsyncResult(
        snsEvent(
          notification(crypto.randomUUID(), {
            invocationStatus: 'Completed',
            responseParameters: { outputLocation: 's3://x/y.out' },
          }),
        ),
      ),
    ).resolves.toBeUndefined();
  });

  it('throws on an unreadable message, so Lambda retries it and parks it in the DLQ', async () => {
    await expect(onAsyncResult(snsEvent('not json'))).rejects.toThrow(/unreadable SageMaker notification/);
    await expect(onAsyncResult(snsEvent({ invocationStatus: 'Completed' }))).rejects.toThrow(/unreadable/);
  });

  it('records a failure from the documented failure message (no responseParameters), with the failure object', async () => {
    const execute = await newExecute();
    const failureKey = execute.sagemaker_raw.FailureLocation.split(`${harness.bucketName}/`)[1]!;
    const error = {
      type: 'execution_error',
      node_id: '3',
      node_type: 'KSampler',
      exception_type: 'RuntimeError',
      exception_message: 'CUDA out of memory',
    };
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: failureKey,
        Body: JSON.stringify({
          prompt_id: execute.prompt_id,
          status: 'failed',
          error,
          message: 'KSampler (node 3): RuntimeError: CUDA out of memory',
        }),
      }),
    );
    const reason =
      'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
    await onAsyncResult(
      snsEvent(notification(execute.prompt_id, { invocationStatus: 'Failed', failureReason: reason })),
    );
    expect(await getData(execute.prompt_id)).toMatchObject({
      status: 'failed',
      message: 'KSampler (node 3): RuntimeError: CUDA out of memory',
      error: { ...error, failure_reason: reason },
      complete_time: '2026-11-22T10:02:00.000Z',
      sagemaker_raw: { invocationStatus: 'Failed', failureReason: reason },
    });
  });

  it('never moves a final record on duplicate or out-of-order notifications', async () => {
    const execute = await newExecute();
    await onAsyncResult(
      snsEvent(
        notification(execute.prompt_id, { invocationStatus: 'Failed', failureReason: 'expired in queue' }),
      ),
    );
    const failed = await getData(execute.prompt_id);
    expect(failed.status).toBe('failed');
    const outKey = `async-out/${execute.prompt_id}.out`;
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: outKey,
        Body: JSON.stringify({ prompt_id: execute.prompt_id, status: 'success' }),
      }),
    );
    const late = notification(execute.prompt_id, {
      invocationStatus: 'Completed',
      responseParameters: { outputLocation: `s3://${harness.bucketName}/${outKey}` },
    });
    await onAsyncResult(snsEvent(late));
    await onAsyncResult(snsEvent(late));
    expect(await getData(execute.prompt_id)).toEqual(failed);
  });

  it('completes a record whose result quotes numbers a record cannot keep (1e300, 2^64), outputs and errors alike', async () => {
    // What a node or ComfyUI's error may report; written as they are, the record write would throw forever.
    const success = await newExecute();
    const outKey = `async-out/${success.prompt_id}.out`;
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: outKey,
        Body: `{"prompt_id":"${success.prompt_id}","status":"success","outputs":{"7":{"value":[1e300,18446744073709551616]}}}`,
      }),
    );
    await onAsyncResult(
      snsEvent(
        notification(success.prompt_id, {
          invocationStatus: 'Completed',
          responseParameters: { outputLocation: `s3://${harness.bucketName}/${outKey}` },
        }),
      ),
    );
    const done = await getData(success.prompt_id);
    expect(done.status).toBe('success');
    expect(done.outputs).toEqual({ '7': { value: [1e300, 18446744073709552000] } });

    const failing = await newExecute();
    const failureKey = failing.sagemaker_raw.FailureLocation.split(`${harness.bucketName}/`)[1]!;
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: failureKey,
        Body: `{"prompt_id":"${failing.prompt_id}","status":"failed","message":"refused","error":{"type":"comfyui_validation","node_errors":{"1":{"errors":[{"extra_info":{"received_value":1e300}}]}}}}`,
      }),
    );
    await onAsyncResult(
      snsEvent(
        notification(failing.prompt_id, {
          invocationStatus: 'Failed',
          failureReason: 'Received server error (400)',
        }),
      ),
    );
    const failed = await getData(failing.prompt_id);
    expect(failed.status).toBe('failed');
    expect(failed.error.node_errors['1'].errors[0].extra_info.received_value).toBe('1e+300');
  });
});
