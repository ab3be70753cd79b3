import { describe, expect, it } from 'vitest';
import {
  EndpointNotFoundError,
  IdempotencyConflictError,
  InvocationUnavailableError,
  PromptValidationError,
} from '../../../lambda/domain/errors';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput, txt2imgPrompt } from '../../fixtures/prompts';

const PROMPT_ID = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';

describe('createExecute', () => {
  it('stages the request, writes a created record, invokes with InferenceId = prompt_id', async () => {
    const { deps, store, payloads, invoker } = fakeCreateDeps();
    const { created, record } = await createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps);

    expect(created).toBe(true);
    expect(record).toMatchObject({
      prompt_id: PROMPT_ID,
      status: 'created',
      owner: 'key-a',
      endpoint_name: 'comfy-async-default',
      inference_type: 'Async',
      start_time: '',
      complete_time: null,
      inference_id: PROMPT_ID,
      create_time: '2026-11-22T10:00:00.000Z',
      prompt_location: 'inline',
    });
    expect(record.prompt_params.prompt).toEqual(txt2imgPrompt());
    expect(record.sagemaker_raw).toMatchObject({
      InferenceId: PROMPT_ID,
      OutputLocation: expect.stringContaining('.out'),
    });
    expect(record.expires_at).toBe(Date.parse('2026-11-22T10:00:00Z') / 1000 + 30 * 86400);
    expect(invoker.calls).toEqual([
      { endpointName: 'comfy-async-default', inputLocation: record.prompt_path, inferenceId: PROMPT_ID },
    ]);
    const staged = JSON.parse(payloads.objects.get(record.prompt_path)!);
    expect(staged).toMatchObject({
      prompt_id: PROMPT_ID,
      prompt: txt2imgPrompt(),
      endpoint_name: 'comfy-async-default',
    });
    expect(store.writes).toEqual([`create ${PROMPT_ID}`, `update ${PROMPT_ID} inference_id`]);
  });

  it('mints a canonical UUID when the request has no prompt_id', async () => {
    const { deps } = fakeCreateDeps();
    const { record } = await createExecute(createInput(), 'key-a', deps);
    expect(record.prompt_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes workflow_name X to endpoint comfy-async-X and stores that name', async () => {
    const { deps, invoker } = fakeCreateDeps();
    const { record } = await createExecute(createInput({ workflow_name: 'sdxl' }), 'key-a', deps);
    expect(record.endpoint_name).toBe('comfy-async-sdxl');
    expect(invoker.calls[0]!.endpointName).toBe('comfy-async-sdxl');
  });

  it('refuses endpoint_name and workflow_name that name different endpoints, writing nothing', async () => {
    const { deps, store, payloads, invoker } = fakeCreateDeps();
    await expect(
      createExecute(
        createInput({ endpoint_name: 'comfy-async-default', workflow_name: 'sdxl' }),
        'key-a',
        deps,
      ),
    ).rejects.toThrow(
      "endpoint_name 'comfy-async-default' and workflow_name 'sdxl' (endpoint comfy-async-sdxl) name different endpoints: send one of them",
    );
    expect(store.records.size + payloads.objects.size + invoker.calls.length).toBe(0);
    // Both naming the same endpoint is fine.
    const { record } = await createExecute(
      createInput({ endpoint_name: 'comfy-async-sdxl', workflow_name: 'sdxl' }),
      'key-a',
      deps,
    );
    expect(record.endpoint_name).toBe('comfy-async-sdxl');
  });

  it('refuses an endpoint the deployment does not serve, writing nothing', async () => {
    const { deps, store, payloads, invoker } = fakeCreateDeps();
    await expect(
      createExecute(createInput({ endpoint_name: 'comfy-async-nope' }), 'key-a', deps),
    ).rejects.toThrow(EndpointNotFoundError);
    expect(store.records.size + payloads.objects.size + invoker.calls.length).toBe(0);
  });

  it('rejects a structurally broken prompt with node_errors, writing nothing', async () => {
    const { deps, store, payloads } = fakeCreateDeps();
    const prompt = txt2imgPrompt();
    (prompt['8'] as any).inputs.samples = ['42', 0];
    const error = await createExecute(createInput({ prompt }), 'key-a', deps).catch((e) => e);
    expect(error).toBeInstanceOf(PromptValidationError);
    expect(error.data.node_errors['8'].errors[0].type).toBe('bad_linked_input');
    expect(store.records.size + payloads.objects.size).toBe(0);
  });

  it('is idempotent: the same request again returns the existing record and never invokes twice', async () => {
    const { deps, invoker } = fakeCreateDeps();
    const first = await createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps);
    const again = await createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps);
    expect(again.created).toBe(false);
    expect(again.record).toEqual(first.record);
    expect(invoker.calls).toHaveLength(1);
  });

  it('answers 409 for the same prompt_id with a different body, or from another key', async () => {
    const { deps, invoker, store } = fakeCreateDeps();
    await createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps);
    await expect(
      createExecute(createInput({ prompt_id: PROMPT_ID, prompt: txt2imgPrompt(1) }), 'key-a', deps),
    ).rejects.toThrow(IdempotencyConflictError);
    await expect(createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-b', deps)).rejects.toThrow(
      IdempotencyConflictError,
    );
    expect(invoker.calls).toHaveLength(1);
    expect(store.records.get(PROMPT_ID)!.prompt_params.prompt).toEqual(txt2imgPrompt());
  });

  it('loses a race cleanly: the loser removes only its own staged object and gets 409', async () => {
    const { deps, store, payloads, invoker } = fakeCreateDeps();
    let raced = false;
    store.beforeWrite = () => {
      if (raced) return;
      raced = true;
      // Another request with this id and a different prompt commits first.
      store.records.set(PROMPT_ID, {
        ...structuredClone(store.records.get(PROMPT_ID)),
        prompt_id: PROMPT_ID,
        owner: 'key-a',
        request_hash: 'other',
      } as any);
    };
    await expect(createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps)).rejects.toThrow(
      IdempotencyConflictError,
    );
    expect(payloads.objects.size).toBe(0);
    expect(invoker.calls).toHaveLength(0);
  });

  it('marks the record failed with the reason when the invocation fails, and rethrows', async () => {
    const { deps, store, invoker } = fakeCreateDeps();
    invoker.failWith = new InvocationUnavailableError('endpoint throttled');
    await expect(createExecute(createInput({ prompt_id: PROMPT_ID }), 'key-a', deps)).rejects.toThrow(
      InvocationUnavailableError,
    );
    const record = store.records.get(PROMPT_ID)!;
    expect(record.status).toBe('failed');
    expect(record.message).toBe('InvokeEndpointAsync failed: endpoint throttled');
    expect(record.error).toEqual({ type: 'InvocationUnavailableError', message: 'endpoint throttled' });
    expect(record.complete_time).toBe('2026-11-22T10:00:00.000Z');
  });

  it('sends the endpoint only the outputs that validated: a refused output never reaches ComfyUI', async () => {
    // ComfyUI would judge the refused output again with its own rules (a node's VALIDATE_INPUTS
    // skips list checks); what this service refused must not be in the prompt the container runs.
    const { deps, payloads } = fakeCreateDeps();
    const prompt = {
      ...txt2imgPrompt(),
      '20': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '../output/other-key.ckpt' } },
      '21': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['20', 2] } },
      '22': { class_type: 'SaveImage', inputs: { images: ['21', 0], filename_prefix: 'x' } },
    };
    const { record, node_errors } = await createExecute(
      createInput({ prompt, prompt_id: PROMPT_ID }),
      'key-a',
      deps,
    );
    expect(record.prompt_params.prompt).toEqual(txt2imgPrompt());
    const staged = JSON.parse(payloads.objects.get(record.prompt_path)!);
    expect(staged.prompt).toEqual(txt2imgPrompt());
    // Reported as ComfyUI reports skipped outputs: in POST /prompt's answer and with the result.
    expect(node_errors?.['20']).toMatchObject({
      class_type: 'CheckpointLoaderSimple',
      dependent_outputs: ['22'],
    });
    expect(staged.skipped_node_errors['20'].errors[0].type).toBe('value_not_in_list');
  });

  it('keeps a prompt too big for one item only in S3, with a pointer', async () => {
    const { deps, store } = fakeCreateDeps();
    const prompt = txt2imgPrompt();
    (prompt['6'] as any).inputs.text = 'x'.repeat(350_000);
    const { record } = await createExecute(createInput({ prompt_id: PROMPT_ID, prompt }), 'key-a', deps);
    expect(record.prompt_location).toBe('s3');
    expect(store.records.get(PROMPT_ID)!.prompt_params.prompt).toBeUndefined();
  });
});

describe('createExecute and ComfyUI credentials in extra_data', () => {
  it('passes them to the container in the staged request but never keeps them in the record', async () => {
    const { deps, store, payloads } = fakeCreateDeps();
    const extra_data = {
      api_key_comfy_org: 'comfyui-secret-key',
      auth_token_comfy_org: 'token',
      extra_pnginfo: { workflow: {} },
    };
    const { record } = await createExecute(createInput({ prompt_id: PROMPT_ID, extra_data }), 'key-a', deps);
    expect(record.prompt_params.extra_data).toEqual({
      api_key_comfy_org: '[redacted]',
      auth_token_comfy_org: '[redacted]',
      extra_pnginfo: { workflow: {} },
    });
    expect(JSON.stringify(store.records.get(PROMPT_ID))).not.toContain('comfyui-secret-key');
    expect(JSON.parse(payloads.objects.get(record.prompt_path)!).extra_data.api_key_comfy_org).toBe(
      'comfyui-secret-key',
    );
  });
});

describe('createExecute limits', () => {
  it('refuses a graph over the configured node count, writing nothing', async () => {
    const { deps, store, payloads } = fakeCreateDeps();
    deps.config.maxPromptNodes = 5;
    await expect(createExecute(createInput(), 'key-a', deps)).rejects.toThrow(
      'the prompt has 7 nodes; this deployment accepts at most 5',
    );
    expect(store.records.size + payloads.objects.size).toBe(0);
  });
});
