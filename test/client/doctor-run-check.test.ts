import { describe, expect, it } from 'vitest';
import { runCheck } from '../../client/cli/doctor/run-check';
import { CheckFailed } from '../../client/cli/doctor/runner';
import type { DoctorState } from '../../client/cli/doctor/state';
import type { ComfyExecClient, Execute } from '../../client/src/index';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

/** A client that answers GetExecute with `statuses` in turn (the last one forever), and records calls. */
function fakeState(statuses: Partial<Execute>[], download: Uint8Array = PNG) {
  const calls: string[] = [];
  let gets = 0;
  const record = (fields: Partial<Execute>) =>
    ({
      prompt_id: '11111111-2222-4333-8444-555555555555',
      status: 'created',
      create_time: '2026-01-01T00:00:00.000Z',
      start_time: '',
      complete_time: null,
      message: '',
      outputs: null,
      progress: null,
      ...fields,
    }) as unknown as Execute;
  const client = {
    create: async () => {
      calls.push('create');
      return record({});
    },
    get: async () => record(statuses[Math.min(gets++, statuses.length - 1)]!),
    cancel: async () => {
      calls.push('cancel');
      return {};
    },
    delete: async () => {
      calls.push('delete');
    },
    download: async () => download,
  } as unknown as ComfyExecClient;
  const state: DoctorState = {
    client,
    apiUrl: 'https://x/prod/',
    apiKey: 'k',
    info: () => undefined,
    about: {
      version: '0.1.0',
      api_version: '1.7.0',
      region: 'us-east-1',
      websocket_url: null,
      console_url: null,
      endpoints_default: 'comfy-async-a',
      endpoints: [{ endpoint_name: 'comfy-async-a', log_url: 'https://console/logs/a' }],
    },
  };
  return { state, calls };
}

const failureOf = async (check: ReturnType<typeof runCheck>) => {
  const error = await check.run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckFailed);
  return error as CheckFailed;
};

const png = {
  images: [{ filename: 'comfy-exec-doctor_00001_.png', subfolder: '', type: 'output', url: 'u' }],
};

describe('the doctor --run check (no network: a fake client)', () => {
  it('gives up after the timeout on an execute nobody picks up: says it stayed created, points at the logs, cancels it', async () => {
    const { state, calls } = fakeState([{ status: 'created' }]);
    const failure = await failureOf(runCheck(state, 'comfy-async-a', { timeoutSeconds: 0.3, pollMs: 20 }));
    expect(failure.message).toMatch(
      /stayed `created` for \d+ s: the endpoint's container did not pick it up/,
    );
    expect(failure.hint).toBe("check the endpoint's CloudWatch logs at https://console/logs/a");
    expect(calls).toEqual(['create', 'cancel']);
  });

  it('says where a run that does not finish stopped', async () => {
    const { state } = fakeState([
      { status: 'running', progress: { node: '2', value: 1, max: 2, percent: 50 } as Execute['progress'] },
    ]);
    const failure = await failureOf(runCheck(state, 'comfy-async-a', { timeoutSeconds: 0.2, pollMs: 20 }));
    expect(failure.message).toMatch(/still `running` at node 2 \(50%\) after \d+ s/);
  });

  it("puts SageMaker's failure reason in plain words", async () => {
    const { state } = fakeState([{ status: 'failed', message: 'InternalServerError: fetch failed' }]);
    const failure = await failureOf(runCheck(state, 'comfy-async-a', { pollMs: 10 }));
    expect(failure.message).toContain(
      "ended `failed`: SageMaker could not get an answer from the endpoint's container (InternalServerError: fetch failed)",
    );
    expect(failure.hint).toContain('comfy-exec logs 11111111-2222-4333-8444-555555555555');
  });

  it('fails a success whose output is not a PNG, and passes (deleting the execute at cleanup) when it is', async () => {
    const success = {
      status: 'success' as const,
      start_time: '2026-01-01T00:00:01.000Z',
      complete_time: '2026-01-01T00:00:03.000Z',
      outputs: { '2': png } as Execute['outputs'],
    };
    const notPng = fakeState([success], new TextEncoder().encode('<html>'));
    expect((await failureOf(runCheck(notPng.state, 'comfy-async-a', { pollMs: 10 }))).message).toMatch(
      /is not a PNG/,
    );
    const good = fakeState([{ status: 'running' }, success]);
    const detail = await runCheck(good.state, 'comfy-async-a', { pollMs: 10 }).run();
    expect(detail).toBe('success in 3.0 s (queued 1.0 s); comfy-exec-doctor_00001_.png is a PNG of 12 bytes');
    // Kept for the checks that follow it by websocket and webhook, deleted once they are done.
    expect(good.calls).toEqual(['create']);
    for (const undo of good.state.cleanup ?? []) await undo();
    expect(good.calls).toEqual(['create', 'delete']);
  });
});
