import { describe, expect, it } from 'vitest';
import { executeDetails } from '../../client/cli/execute-details';
import { describeFailure } from '../../client/cli/exit-codes';
import { type Execute, ExecuteFailedError } from '../../client/src/index';

const execute = (overrides: Partial<Execute>) =>
  ({
    prompt_id: '5a3d2b9e-0c41-4b7e-9f0a-1d2c3b4a5e6f',
    status: 'success',
    endpoint_name: 'comfy-async-local',
    create_time: '2026-12-06T20:37:51.900Z',
    start_time: '2026-12-06T20:37:52.100Z',
    complete_time: '2026-12-06T20:37:54.288Z',
    message: '',
    cancel_requested: false,
    outputs: null,
    ...overrides,
  }) as Execute;

describe("get's view of an execute", () => {
  it('says when a cancel came after the execute had ended (it ran to its end)', () => {
    expect(executeDetails(execute({ cancel_requested: true }))).toContain(
      'cancel requested, but the execute had already succeeded',
    );
    expect(executeDetails(execute({ cancel_requested: true, status: 'failed', message: 'boom' }))).toContain(
      'cancel requested, but the execute had already failed',
    );
    for (const quiet of [execute({}), execute({ cancel_requested: true, status: 'cancelled' })])
      expect(executeDetails(quiet).join('\n')).not.toContain('cancel requested');
  });
});

describe("run's words for an execute that did not succeed", () => {
  it('points a failed one at its logs (ComfyUI traceback), not a cancelled one', () => {
    const failed = describeFailure(
      new ExecuteFailedError(execute({ status: 'failed', message: 'VAEDecode failed' })),
    );
    expect(failed.lines.at(-1)).toBe(
      "its log lines, ComfyUI's own among them: comfy-exec logs 5a3d2b9e-0c41-4b7e-9f0a-1d2c3b4a5e6f",
    );
    const cancelled = describeFailure(new ExecuteFailedError(execute({ status: 'cancelled' })));
    expect(cancelled.lines.join('\n')).not.toContain('comfy-exec logs');
  });
});
