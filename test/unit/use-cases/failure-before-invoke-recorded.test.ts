import { describe, expect, it } from 'vitest';
import type { AcceptedInvocation, AsyncInvocation } from '../../../lambda/domain/ports';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { recordAsyncResult } from '../../../lambda/use-cases/record-async-result';
import { sweepExecutes } from '../../../lambda/use-cases/sweep-executes';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput } from '../../fixtures/prompts';

/** SageMaker's failure notification names no failure location: only CreateExecute's write does. */
const REASON =
  'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
const CONTAINER_ANSWER = (id: string) =>
  JSON.stringify({
    prompt_id: id,
    status: 'failed',
    message: 'KSampler (node 3) failed: CUDA out of memory',
    error: { type: 'execution_error', node_id: '3', exception_message: 'CUDA out of memory' },
  });

/**
 * The container fails at once and SageMaker notifies before InvokeEndpointAsync's answer has been
 * written to the record: the invoker delivers the notification itself, then answers.
 */
function failingBeforeTheInvokeIsRecorded(options: { createDiesAfterInvoke?: boolean } = {}) {
  const fakes = fakeCreateDeps();
  const asyncDeps = { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock };
  const notified: unknown[] = [];
  const invoke = fakes.invoker.invoke.bind(fakes.invoker);
  fakes.invoker.invoke = async (invocation: AsyncInvocation): Promise<AcceptedInvocation> => {
    const accepted = await invoke(invocation);
    fakes.payloads.objects.set(accepted.failureLocation!, CONTAINER_ANSWER(invocation.inferenceId));
    notified.push(
      await recordAsyncResult(
        { inferenceId: invocation.inferenceId, completed: false, failureReason: REASON },
        asyncDeps,
      ),
    );
    if (options.createDiesAfterInvoke) throw Object.assign(new Error('Task timed out'), { name: 'Killed' });
    return accepted;
  };
  return { ...fakes, asyncDeps, notified };
}

describe('a failure notified before CreateExecute recorded the invocation', () => {
  it('keeps the container’s message: the notice waits on the record and CreateExecute finishes it', async () => {
    const fakes = failingBeforeTheInvokeIsRecorded();
    const { record } = await createExecute(createInput(), 'a', fakes.deps);
    expect(fakes.notified).toEqual([{ kind: 'parked' }]);
    expect(fakes.store.records.get(record.prompt_id)).toMatchObject({
      status: 'failed',
      message: 'KSampler (node 3) failed: CUDA out of memory',
      error: { type: 'execution_error', node_id: '3', failure_reason: REASON },
      sagemaker_raw: { invocationStatus: 'Failed', failureReason: REASON, InferenceId: record.prompt_id },
    });
  });

  it('reads the location when CreateExecute’s write lands between its read and its write', async () => {
    const fakes = fakeCreateDeps();
    const deps = { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock };
    const { record } = await createExecute(createInput(), 'a', fakes.deps);
    const failureLocation = record.sagemaker_raw.FailureLocation as string;
    fakes.payloads.objects.set(failureLocation, CONTAINER_ANSWER(record.prompt_id));
    // The record as OnAsyncResult reads it: before the invoke was recorded.
    const stored = fakes.store.records.get(record.prompt_id)!;
    const { InferenceId: _id, OutputLocation: _out, FailureLocation: _f, ...before } = stored.sagemaker_raw;
    fakes.store.records.set(record.prompt_id, { ...stored, sagemaker_raw: before });
    const get = fakes.store.get.bind(fakes.store);
    let reads = 0;
    fakes.store.get = async (id: string) => {
      const read = await get(id);
      if (reads++ === 0) fakes.store.records.set(record.prompt_id, stored); // CreateExecute's write
      return read;
    };
    expect(
      await recordAsyncResult(
        { inferenceId: record.prompt_id, completed: false, failureReason: REASON },
        deps,
      ),
    ).toEqual({ kind: 'recorded', status: 'failed' });
    expect(fakes.store.records.get(record.prompt_id)).toMatchObject({
      status: 'failed',
      message: 'KSampler (node 3) failed: CUDA out of memory',
    });
  });

  it('is finished by the Sweeper with SageMaker’s reason when CreateExecute never recorded the invoke', async () => {
    const fakes = failingBeforeTheInvokeIsRecorded({ createDiesAfterInvoke: true });
    const created = await createExecute(createInput(), 'a', fakes.deps).catch((error: Error) => error);
    expect(created).toBeInstanceOf(Error);
    const [id] = [...fakes.store.records.keys()];
    // Its own catch marks it failed when it can; this models the process dying before that.
    fakes.store.records.set(id!, { ...fakes.store.records.get(id!)!, status: 'created', message: '' });
    fakes.clock.advance(61_000);
    const report = await sweepExecutes({ ...fakes.asyncDeps, config: { graceSeconds: 60, batchSize: 10 } });
    expect(report.recovered).toEqual([id]);
    expect(fakes.store.records.get(id!)).toMatchObject({
      status: 'failed',
      message: REASON,
      error: { type: 'sagemaker_invocation_failed', failure_reason: REASON },
    });
  });
});
