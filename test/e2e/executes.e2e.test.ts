import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack, uploadModel } from './local-api';
import { seed000RefinerPrompt, seed003PromptBody, seed004UiWorkflow } from './seed-prompts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 120_000);
afterAll(() => stack?.stop());

async function downloadPng(url: string) {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
    true,
  );
  return PNG.sync.read(bytes);
}

const slowPrompt = (steps: number, seed = 1) => tinyTxt2imgPrompt(seed, steps);

describe('end to end through HTTP: the seed prompts', () => {
  it("runs seed 000's refiner graph created → running → success, with a PNG of the requested size", async () => {
    const created = await api(stack, 'POST', 'executes', { body: { prompt: seed000RefinerPrompt() } });
    expect(created.status).toBe(201);
    expect(created.body.data.status).toBe('created');
    const { seen, record } = await pollUntilFinal(
      stack,
      created.body.data.prompt_id,
      undefined,
      undefined,
      created.body.data.status,
    );
    expect(seen).toEqual(['created', 'running', 'success']);
    expect(record.output_files).toHaveLength(1);
    expect(await downloadPng(record.output_files[0])).toMatchObject({ width: 1024, height: 1024 });
    expect(record.progress).toMatchObject({ percent: 100 });
  });

  it("runs seed 003's /prompt body (client_id kept) with its previews, its two missing models from the library", async () => {
    // The endpoint lists neither model: without them ComfyUI would skip output 9, as it should.
    await uploadModel(stack, 'clip_vision', 'clip_vision_g.safetensors', Buffer.from('clip vision weights'));
    await uploadModel(
      stack,
      'controlnet',
      'control-lora-depth-rank256.safetensors',
      Buffer.from('control lora'),
    );
    const body = seed003PromptBody();
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: body.prompt, client_id: body.client_id },
    });
    expect(created.status).toBe(201);
    expect(created.body.data.prompt_params.client_id).toBe(body.client_id);
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    expect(record.output_files).toHaveLength(1);
    expect(await downloadPng(record.output_files[0])).toMatchObject({ width: 1024, height: 768 });
    expect(record.temp_files).toHaveLength(2);
    expect(await downloadPng(record.temp_files[0])).toMatchObject({ width: 768, height: 512 });
  });

  it('runs seed 004, a UI workflow posted as the prompt, converted with the endpoint’s published catalog', async () => {
    const workflow = seed004UiWorkflow();
    workflow.nodes.find((node: { type: string }) => node.type === 'CheckpointLoaderSimple').widgets_values = [
      'v1-5-pruned-emaonly.safetensors',
    ];
    const created = await api(stack, 'POST', 'executes', { body: { prompt: workflow } });
    expect(created.status).toBe(201);
    expect(created.body.data.prompt_params.prompt['3'].class_type).toBe('KSampler');
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    expect(await downloadPng(record.output_files[0])).toMatchObject({ width: 512, height: 512 });
  });

  it('shows the run in GetExecuteLogs', async () => {
    const created = await api(stack, 'POST', 'executes', { body: { prompt: slowPrompt(2) } });
    const id = created.body.data.prompt_id;
    await pollUntilFinal(stack, id);
    const logs = await api(stack, 'GET', `executes/${id}/logs`);
    expect(logs.status).toBe(200);
    expect(
      logs.body.data.results.some((line: { message: string }) =>
        line.message.includes('invocation answered'),
      ),
    ).toBe(true);
    expect(logs.body.data.results.every((line: { message: string }) => line.message.includes(id))).toBe(true);
  });

  it("shows ComfyUI's own lines for a failed run: the exception and its traceback, as the execute's", async () => {
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: slowPrompt(2), extra_data: { simulate: { fail_node: '3' } } },
    });
    const id = created.body.data.prompt_id;
    expect((await pollUntilFinal(stack, id)).record.status).toBe('failed');
    const comfyuiLines = async () => {
      const logs = await api(stack, 'GET', `executes/${id}/logs`);
      return (logs.body.data.results as { message: string }[])
        .map((line) => JSON.parse(line.message))
        .filter((line) => line.source === 'comfyui' && line.prompt_id === id)
        .map((line) => line.message as string);
    };
    await expect.poll(comfyuiLines, { timeout: 30_000 }).toContain('Traceback (most recent call last):');
    const lines = await comfyuiLines();
    expect(lines[0]).toMatch(/^!!! Exception during processing !!! /);
    expect(lines).toContain('Got an OOM, unloading all loaded models.');
  });
});

describe('end to end through HTTP: failures, cancel, idempotency, access', () => {
  it('ends failed with the node named when a node raises', async () => {
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: slowPrompt(2), extra_data: { simulate: { fail_node: '3' } } },
    });
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('failed');
    expect(record.message).toContain('KSampler (node 3)');
    expect(record.error).toMatchObject({ type: 'execution_error', node_id: '3', node_type: 'KSampler' });
  });

  it('cancels before the run (queued behind another) and during the run', async () => {
    const running = (await api(stack, 'POST', 'executes', { body: { prompt: slowPrompt(1500, 2) } })).body
      .data.prompt_id;
    const queued = (await api(stack, 'POST', 'executes', { body: { prompt: slowPrompt(2, 3) } })).body.data
      .prompt_id;
    for (let i = 0; i < 400; i++) {
      if ((await api(stack, 'GET', `executes/${running}`)).body.data.status === 'running') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const before = await api(stack, 'POST', `executes/${queued}/cancel`);
    expect(before.body.data).toMatchObject({ status: 'cancelled' });
    const during = await api(stack, 'POST', `executes/${running}/cancel`);
    expect(during.body.data).toMatchObject({ status: 'running', cancel_requested: true });
    expect((await pollUntilFinal(stack, running)).record).toMatchObject({
      status: 'cancelled',
      message: 'cancelled by the client while running',
    });
    expect((await pollUntilFinal(stack, queued)).record.status).toBe('cancelled');
    // The queued one reached the container after all and was skipped: still cancelled, never run.
    await new Promise((r) => setTimeout(r, 300));
    expect((await api(stack, 'GET', `executes/${queued}`)).body.data).toMatchObject({
      status: 'cancelled',
      start_time: '',
    });
  });

  it('invokes once for the same prompt_id sent twice', async () => {
    const promptId = crypto.randomUUID();
    const body = { prompt_id: promptId, prompt: slowPrompt(2, 4) };
    expect((await api(stack, 'POST', 'executes', { body })).status).toBe(201);
    const again = await api(stack, 'POST', 'executes', { body });
    expect(again.status).toBe(200);
    expect(stack.aws.invokeCalls.filter((call) => call.inferenceId === promptId)).toHaveLength(1);
    expect(
      (await api(stack, 'POST', 'executes', { body: { ...body, prompt: slowPrompt(3, 4) } })).status,
    ).toBe(409);
    expect((await pollUntilFinal(stack, promptId)).record.status).toBe('success');
  });

  it("answers 403 without a key, 403 for an unknown route, 404 for an unknown id or another key's execute", async () => {
    const missing = await api(stack, 'GET', 'executes', { key: null });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ message: 'Forbidden', requestId: expect.any(String) });
    expect((await api(stack, 'GET', 'executes', { key: 'not-a-key' })).status).toBe(403);
    expect((await api(stack, 'GET', 'no/such/route')).body.message).toBe('Missing Authentication Token');
    const unknown = crypto.randomUUID();
    expect((await api(stack, 'GET', `executes/${unknown}`)).body).toMatchObject({
      statusCode: 404,
      data: `execute not found for prompt_id: ${unknown}`,
    });
    const mine = (await api(stack, 'POST', 'executes', { body: { prompt: slowPrompt(1, 5) } })).body.data
      .prompt_id;
    expect((await api(stack, 'GET', `executes/${mine}`, { key: KEY_B })).status).toBe(404);
    await pollUntilFinal(stack, mine);
  });

  it('refuses a body over API Gateway’s 10 MB with 413, like API Gateway', async () => {
    const response = await fetch(`${stack.apiUrl}executes`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_A },
      body: JSON.stringify({
        prompt: { '1': { class_type: 'X', inputs: { text: 'x'.repeat(11 * 1024 * 1024) } } },
      }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { message: string }).message).toBe('Request Too Long');
  });

  it('pages through the list and deletes executes with their S3 objects', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await api(stack, 'POST', 'executes', { body: { prompt: slowPrompt(1, 10 + i) }, key: KEY_B })).body
          .data.prompt_id,
      );
    const done = await Promise.all(ids.map((id) => pollUntilFinal(stack, id, KEY_B)));
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&exclusive_start_key=${encodeURIComponent(cursor)}` : '';
      const page = await api(stack, 'GET', `executes?limit=2${query}`, { key: KEY_B });
      listed.push(...page.body.data.executes.map((e: { prompt_id: string }) => e.prompt_id));
      cursor = page.body.data.last_evaluated_key;
    } while (cursor);
    expect(listed).toEqual([...ids].reverse());
    const url = done[0]!.record.output_files[0];
    expect((await fetch(url)).status).toBe(200);
    const deleted = await api(stack, 'DELETE', 'executes', { body: { execute_id_list: ids }, key: KEY_B });
    expect(deleted.status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    expect((await api(stack, 'GET', 'executes', { key: KEY_B })).body.data.executes).toEqual([]);
  });
});

describe('end to end through HTTP: every fault switch ends in the right final state', () => {
  it('throttle, unavailable, container_error, duplicate and dropped notifications', async () => {
    const create = (fault: string) =>
      api(stack, 'POST', 'executes', {
        body: { prompt: slowPrompt(2, 20), extra_data: { simulate: { fault } } },
      });
    const throttled = await create('throttle');
    expect(throttled.status).toBe(503);
    const unavailable = await create('unavailable');
    expect(unavailable.status).toBe(503);
    const accepted = await Promise.all(
      ['container_error', 'duplicate_notification', 'drop_notification'].map(create),
    );
    expect(accepted.map((a) => a.status)).toEqual([201, 201, 201]);
    const [containerError, duplicate, dropped] = await Promise.all(
      accepted.map((a) => pollUntilFinal(stack, a.body.data.prompt_id, undefined, 60_000)),
    );
    expect(containerError!.record).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('simulated container error'),
    });
    expect(duplicate!.record.status, duplicate!.record.message).toBe('success');
    expect(dropped!.record.status, dropped!.record.message).toBe('success');

    for (const refused of [throttled, unavailable]) {
      expect(refused.body.data).toMatchObject({ status: 'failed' });
      expect((await api(stack, 'GET', `executes/${refused.body.data.prompt_id}`)).body.data).toMatchObject({
        status: 'failed',
      });
    }
    // Nothing is left created or running, for either key.
    for (const key of [undefined, KEY_B]) {
      for (const status of ['created', 'running']) {
        expect(
          (await api(stack, 'GET', `executes?status=${status}&limit=100`, { key })).body.data.executes,
        ).toEqual([]);
      }
    }
  });
});

describe('end to end through HTTP: an invocation that never ends', () => {
  let shortTimeoutStack: LocalStack;
  beforeAll(async () => {
    shortTimeoutStack = await startE2eStack({ invocationTimeoutSeconds: 6 });
  }, 120_000);
  afterAll(() => shortTimeoutStack?.stop());

  it('fails at InvocationTimeoutSeconds and leaves nothing running', async () => {
    const created = await api(shortTimeoutStack, 'POST', 'executes', {
      body: { prompt: slowPrompt(2, 21), extra_data: { simulate: { fault: 'hang' } } },
    });
    expect(created.status).toBe(201);
    const { record } = await pollUntilFinal(
      shortTimeoutStack,
      created.body.data.prompt_id,
      undefined,
      60_000,
    );
    expect(record).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('InvocationTimeoutSeconds'),
    });
    for (const status of ['created', 'running']) {
      expect(
        (await api(shortTimeoutStack, 'GET', `executes?status=${status}&limit=100`)).body.data.executes,
      ).toEqual([]);
    }
  });
});
