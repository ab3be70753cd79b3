import { describe, expect, it } from 'vitest';
import type { ComfyExecClient } from '../../client/src/client';
import { ExecuteFailedError } from '../../client/src/errors';
import { runExecute } from '../../client/src/run';
import type { CreateExecuteRequest, Execute } from '../../client/src/types';
import { seed004UiWorkflow } from '../e2e/seed-prompts';
import { txt2imgPrompt } from '../fixtures/prompts';

/** The calls a run makes, answered in memory; `create` answers `status` (what a create with wait ends at). */
function fakeClient(status: Execute['status'], converted?: Record<string, unknown>) {
  const calls = { created: [] as CreateExecuteRequest[], waited: [] as string[] };
  const client = {
    async dryRun() {
      return { prompt: converted, node_errors: {}, warnings: [] };
    },
    async create(request: CreateExecuteRequest) {
      calls.created.push(request);
      return { prompt_id: request.prompt_id, status, message: status === 'failed' ? 'OOM' : '' };
    },
    async wait(promptId: string) {
      calls.waited.push(promptId);
      return { prompt_id: promptId, status: 'success' };
    },
  };
  return { client: client as unknown as ComfyExecClient, calls };
}

describe('run(): one round trip for a short prompt (a create that waits)', () => {
  it('asks the create to wait when nobody watches progress, and answers its finished execute', async () => {
    const { client, calls } = fakeClient('success');
    const execute = await runExecute(client, txt2imgPrompt(), {});
    expect(calls.created[0]!.wait).toBe(20);
    expect(execute.status).toBe('success');
    expect(calls.waited).toEqual([]);
  });

  it('throws ExecuteFailedError for an execute that ended failed within the wait', async () => {
    const { client, calls } = fakeClient('failed');
    await expect(runExecute(client, txt2imgPrompt(), {})).rejects.toBeInstanceOf(ExecuteFailedError);
    expect(calls.waited).toEqual([]);
  });

  it('follows as before when the wait ended first, or when progress is shown (no wait then)', async () => {
    const waited = fakeClient('running');
    await runExecute(waited.client, txt2imgPrompt(), {});
    expect(waited.calls.waited).toHaveLength(1);
    const watched = fakeClient('created');
    await runExecute(watched.client, txt2imgPrompt(), { onProgress: () => undefined });
    expect(watched.calls.created[0]!.wait).toBeUndefined();
    expect(watched.calls.waited).toHaveLength(1);
  });
});

describe('run(): a UI workflow converted to name its nodes', () => {
  it('sends the workflow as extra_pnginfo.workflow, as ComfyUI’s frontend does, unless the caller set one', async () => {
    const workflow = seed004UiWorkflow();
    const converted = { '3': { class_type: 'KSampler', inputs: { seed: 1, steps: 20 } } };
    const { client, calls } = fakeClient('success', converted);
    await runExecute(client, workflow, { set: { '3.steps': 4 } });
    expect(calls.created[0]!.extra_data).toEqual({ extra_pnginfo: { workflow } });
    const own = fakeClient('success', structuredClone(converted));
    await runExecute(own.client, workflow, {
      set: { '3.steps': 4 },
      request: { extra_data: { extra_pnginfo: { workflow: { mine: true } } } },
    });
    expect(own.calls.created[0]!.extra_data).toEqual({ extra_pnginfo: { workflow: { mine: true } } });
  });
});
