import { describe, expect, it } from 'vitest';
import { recordAsyncResult } from '../../../lambda/use-cases/record-async-result';
import { fakesWithExecutes } from '../../fakes/seeded-records';

const OUT = 's3://bucket/async-out/x.out';
/** Where the recording invoker said SageMaker would write the failure object (persisted at submit). */
const failureObject = (id: string) => `s3://bucket/async-failures/${id}-error.out`;

async function running() {
  const fakes = await fakesWithExecutes([
    { owner: 'a', status: 'running', extra: { start_time: '2026-11-22T10:00:01.000Z' } },
  ]);
  const id = fakes.records[0]!.prompt_id;
  const deps = { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock };
  return { ...fakes, id, deps };
}

describe('recordAsyncResult', () => {
  it('records success with the files from the output object', async () => {
    const { id, deps, payloads, store } = await running();
    payloads.objects.set(
      OUT,
      JSON.stringify({
        prompt_id: id,
        status: 'success',
        output_path: `s3://bucket/executes/${id}/outputs/`,
        output_files: ['9/ComfyUI_00001_.png'],
      }),
    );
    const outcome = await recordAsyncResult(
      {
        inferenceId: id,
        completed: true,
        outputLocation: OUT,
        eventTime: '2026-11-22T10:01:00.000Z',
        receivedTime: '2026-11-22T10:00:00.500Z',
      },
      deps,
    );
    expect(outcome).toEqual({ kind: 'recorded', status: 'success' });
    expect(store.records.get(id)).toMatchObject({
      status: 'success',
      complete_time: '2026-11-22T10:01:00.000Z',
      output_files: ['9/ComfyUI_00001_.png'],
      sagemaker_raw: { invocationStatus: 'Completed', OutputLocation: OUT, InferenceId: id },
    });
  });

  it('ignores the notification of an invocation that is not the record’s own (its id deleted and created again)', async () => {
    const { id, deps, payloads, store } = await running();
    const before = structuredClone(store.records.get(id)!);
    payloads.objects.set(
      OUT,
      JSON.stringify({ prompt_id: id, status: 'success', owner: 'b', output_files: ['x.png'] }),
    );
    const earlier = `s3://bucket/executes/${id}/request-0123456789abcdef.json`;
    expect(before.prompt_path).not.toBe(earlier);
    for (const completed of [true, false])
      expect(
        await recordAsyncResult(
          {
            inferenceId: id,
            completed,
            outputLocation: OUT,
            failureReason: 'ClientError: 409',
            inputLocation: earlier,
          },
          deps,
        ),
      ).toEqual({ kind: 'other-invocation' });
    expect(store.records.get(id)).toEqual(before);
    // Its own invocation's notification still completes it.
    expect(
      await recordAsyncResult(
        { inferenceId: id, completed: true, outputLocation: OUT, inputLocation: before.prompt_path },
        deps,
      ),
    ).toEqual({ kind: 'recorded', status: 'success' });
  });

  it("trusts the body over the HTTP code: a 2xx answer saying 'failed' fails the execute", async () => {
    const { id, deps, payloads, store } = await running();
    payloads.objects.set(
      OUT,
      JSON.stringify([{ prompt_id: id, status: 'fail', message: 'CUDA out of memory' }]),
    );
    await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(store.records.get(id)).toMatchObject({ status: 'failed', message: 'CUDA out of memory' });
  });

  it('fails an execute whose 2xx output object is unreadable', async () => {
    const { id, deps, store } = await running();
    await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(store.records.get(id)).toMatchObject({ status: 'failed', error: { type: 'unreadable_result' } });
  });

  it('stores failureReason and the failure object content', async () => {
    const { id, deps, payloads, store } = await running();
    const error = { type: 'execution_error', node_id: '3', node_type: 'KSampler', exception_message: 'boom' };
    payloads.objects.set(
      failureObject(id),
      JSON.stringify({ prompt_id: id, status: 'failed', error, message: 'KSampler failed: boom' }),
    );
    const reason = 'ClientError: Received server error (500) from model.';
    await recordAsyncResult({ inferenceId: id, completed: false, failureReason: reason }, deps);
    expect(store.records.get(id)).toMatchObject({
      status: 'failed',
      message: 'KSampler failed: boom',
      error: { ...error, failure_reason: reason },
      sagemaker_raw: {
        invocationStatus: 'Failed',
        failureReason: reason,
        FailureLocation: failureObject(id),
      },
    });
  });

  it('falls back to failureReason when there is no failure object', async () => {
    const { id, deps, store } = await running();
    await recordAsyncResult(
      { inferenceId: id, completed: false, failureReason: 'expired', failureLocation: 's3://bucket/none' },
      deps,
    );
    expect(store.records.get(id)).toMatchObject({
      status: 'failed',
      message: 'expired',
      error: { type: 'sagemaker_invocation_failed' },
    });
  });

  it('never moves a final record: duplicates and late failures are ignored', async () => {
    const { id, deps, payloads, store } = await running();
    payloads.objects.set(OUT, JSON.stringify({ prompt_id: id, status: 'success' }));
    await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    const done = structuredClone(store.records.get(id));
    expect(await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps)).toEqual({
      kind: 'already-final',
      status: 'success',
    });
    expect(
      await recordAsyncResult({ inferenceId: id, completed: false, failureReason: 'late' }, deps),
    ).toEqual({ kind: 'already-final', status: 'success' });
    expect(store.records.get(id)).toEqual(done);
  });

  it('loses a race to another final write without throwing', async () => {
    const { id, deps, payloads, store } = await running();
    payloads.objects.set(OUT, JSON.stringify({ prompt_id: id, status: 'success' }));
    store.beforeWrite = () => store.records.set(id, { ...store.records.get(id)!, status: 'cancelled' });
    // The racing write carried no usage: this notification counts it (once).
    expect(await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps)).toEqual({
      kind: 'already-final',
      status: 'cancelled',
      counted: true,
    });
    expect(store.usage.map((usage) => usage.status)).toEqual(['cancelled']);
  });

  it('reports an unknown id without throwing', async () => {
    const { deps } = await running();
    expect(await recordAsyncResult({ inferenceId: 'nope', completed: true }, deps)).toEqual({
      kind: 'unknown-execute',
    });
  });

  it('completes a record still created (notification before the running write)', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a' }]);
    const id = fakes.records[0]!.prompt_id;
    fakes.payloads.objects.set(
      OUT,
      JSON.stringify({ prompt_id: id, status: 'cancelled', message: 'cancelled before start' }),
    );
    await recordAsyncResult(
      { inferenceId: id, completed: true, outputLocation: OUT },
      { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock },
    );
    expect(fakes.store.records.get(id)!.status).toBe('cancelled');
  });
});

describe('recordAsyncResult with outputs ComfyUI skipped', () => {
  it('records success but says which outputs were skipped and why', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const id = fakes.records[0]!.prompt_id;
    const out = 's3://bucket/out.out';
    const warnings = {
      node_errors: {
        '13': {
          class_type: 'CLIPVisionEncode',
          errors: [{ message: 'Required input is missing', details: 'crop' }],
          dependent_outputs: ['9'],
        },
      },
    };
    fakes.payloads.objects.set(out, JSON.stringify({ prompt_id: id, status: 'success', warnings }));
    await recordAsyncResult(
      { inferenceId: id, completed: true, outputLocation: out },
      { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock },
    );
    expect(fakes.store.records.get(id)).toMatchObject({
      status: 'success',
      message:
        'ComfyUI skipped output node 9 whose inputs failed validation: CLIPVisionEncode (node 13): Required input is missing: crop',
    });
  });
});

describe('recordAsyncResult reads the record only when it must', () => {
  async function countingReads() {
    const fakes = await running();
    let reads = 0;
    const get = fakes.store.get.bind(fakes.store);
    fakes.store.get = async (promptId: string) => {
      reads += 1;
      return get(promptId);
    };
    return { ...fakes, reads: () => reads };
  }
  const success = (id: string, owner?: string) =>
    JSON.stringify({
      prompt_id: id,
      status: 'success',
      output_files: ['9/a.png'],
      ...(owner ? { owner } : {}),
    });

  it('completes a record still running with one read, the result and one write', async () => {
    const { id, deps, payloads, store, reads } = await countingReads();
    payloads.objects.set(OUT, success(id, 'a'));
    const outcome = await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(outcome).toEqual({ kind: 'recorded', status: 'success' });
    expect(reads()).toBe(1);
    expect(store.records.get(id)!.status).toBe('success');
  });

  it('settles with that one read when the container completed the record already: no result read, one usage write', async () => {
    const { id, deps, payloads, store, reads } = await countingReads();
    payloads.objects.set(OUT, success(id, 'a'));
    await store.update(
      { prompt_id: id, owner: 'a' },
      { from: ['running'], set: { status: 'success', complete_time: '2026-12-07T10:00:00.000Z' } },
    );
    let resultReads = 0;
    const getText = deps.payloads.getText.bind(deps.payloads);
    deps.payloads.getText = async (uri: string) => {
      resultReads += 1;
      return getText(uri);
    };
    const writes: unknown[] = [];
    const update = store.update.bind(store);
    store.update = async (key, change) => {
      writes.push(change);
      return update(key, change);
    };
    const outcome = await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    // The container's write carries no usage (its role may not write the usage table): this counts it.
    expect(outcome).toEqual({ kind: 'already-final', status: 'success', counted: true });
    expect({ reads: reads(), resultReads, writes }).toEqual({ reads: 1, resultReads: 0, writes: [] });
    expect(store.usage).toHaveLength(1);
    expect(store.records.get(id)!.complete_time).toBe('2026-12-07T10:00:00.000Z');
    // A duplicate notification: the read alone.
    const again = await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(again).toEqual({ kind: 'already-final', status: 'success' });
    expect({ reads: reads(), usage: store.usage.length }).toEqual({ reads: 2, usage: 1 });
  });

  it('reads the record when the result names no owner (a container from before the echo)', async () => {
    const { id, deps, payloads, store, reads } = await countingReads();
    payloads.objects.set(OUT, success(id));
    await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(reads()).toBe(1);
    expect(store.records.get(id)!.status).toBe('success');
  });

  it('still completes when the echoed owner is not the record’s, keyed by the record’s own', async () => {
    const { id, deps, payloads, store } = await countingReads();
    payloads.objects.set(OUT, success(id, 'someone-else'));
    const outcome = await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(outcome).toEqual({ kind: 'recorded', status: 'success' });
    expect(store.records.get(id)).toMatchObject({ status: 'success', owner: 'a' });
  });

  it('answers already-final for a duplicate even with the owner echoed', async () => {
    const { id, deps, payloads } = await countingReads();
    payloads.objects.set(OUT, success(id, 'a'));
    await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    const again = await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
    expect(again).toEqual({ kind: 'already-final', status: 'success' });
  });

  it('reports an unknown execute whose result location cannot be read, instead of throwing', async () => {
    const { deps } = await countingReads();
    deps.payloads.getText = async () => {
      throw new Error('NoSuchBucket');
    };
    const outcome = await recordAsyncResult(
      { inferenceId: crypto.randomUUID(), completed: true, outputLocation: 's3://elsewhere/x.out' },
      deps,
    );
    expect(outcome).toEqual({ kind: 'unknown-execute' });
  });

  it('throws when the result of a waiting execute cannot be read, so the notification is retried', async () => {
    const { id, deps, store } = await countingReads();
    deps.payloads.getText = async () => {
      throw new Error('SlowDown');
    };
    await expect(
      recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps),
    ).rejects.toThrow('SlowDown');
    expect(store.records.get(id)!.status).toBe('running');
  });
});
