import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_STATS } from '../../local/comfyui-simulator/fixed-answers';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { comfyProtocolClient } from './comfy-protocol-client';
import { KEY_A, KEY_B, startE2eStack, uploadModel } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

const comfyClient = (key: string) => comfyProtocolClient(stack.apiUrl, key);

async function s3Object(key: string) {
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

describe("ComfyUI's protocol under /comfyui/", () => {
  it('queues a prompt, shows it in history in ComfyUI shape, and serves its images byte for byte', async () => {
    const comfy = comfyClient(KEY_A);
    const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(5));
    expect(queued.status).toBe(200);
    expect(queued.body).toEqual({
      prompt_id: expect.any(String),
      number: expect.any(Number),
      node_errors: {},
    });
    const id = queued.body.prompt_id;
    const entry = await comfy.history(id);
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.status.messages.map(([type]: [string]) => type)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    expect(entry.prompt).toEqual([
      queued.body.number,
      id,
      tinyTxt2imgPrompt(5),
      { client_id: 'script' },
      ['9'],
    ]);
    const images = entry.outputs['9'].images as { filename: string; subfolder: string; type: string }[];
    expect(images).toEqual([
      // Under the execute's own subfolder: names repeat across executes (each run's counters restart).
      { filename: expect.stringMatching(/^ComfyUI_\d+_\.png$/), subfolder: id, type: 'output' },
    ]);
    expect(entry.meta).toEqual({
      '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' },
    });

    // The same execute through the executes API: one record, both views.
    const record: any = await (
      await fetch(`${stack.apiUrl}executes/${id}`, { headers: { 'x-api-key': KEY_A } })
    ).json();
    const key = `${record.data.output_path.replace(`s3://${stack.bucket}/`, '').replace(/\/$/, '')}/${record.data.outputs['9'].images[0].key}`;
    const viewed = await comfy.view(images[0]!);
    expect(viewed.status).toBe(200);
    expect(Buffer.from(await viewed.arrayBuffer()).equals(await s3Object(key))).toBe(true);

    const all = await comfy.call('GET', 'history?max_items=10');
    expect(Object.keys(all.body)).toContain(id);
  });

  it('converts a UI workflow posted as the prompt, as ESD clients post it', async () => {
    const comfy = comfyClient(KEY_A);
    const recorded = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/embedded-workflow/recorded.json'), 'utf8'),
    )['inverted.png'];
    const queued = await comfy.queuePrompt(recorded.workflow);
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    const entry = await comfy.history(queued.body.prompt_id);
    expect(entry.status.status_str).toBe('success');
    // The prompt recorded with the workflow (our conversion also keeps each node's title in _meta).
    const withoutMeta = (prompt: Record<string, { class_type: string; inputs: unknown }>) =>
      Object.fromEntries(
        Object.entries(prompt).map(([id, n]) => [id, { class_type: n.class_type, inputs: n.inputs }]),
      );
    expect(withoutMeta(entry.prompt[2])).toEqual(recorded.prompt);
    expect(entry.outputs['3'].images).toHaveLength(1);
  });

  it("answers bad prompts with ComfyUI's own errors", async () => {
    const comfy = comfyClient(KEY_A);
    expect(await comfy.call('POST', 'prompt', { client_id: 'x' })).toMatchObject({
      status: 400,
      body: { error: { type: 'no_prompt', message: 'No prompt provided' }, node_errors: {} },
    });
    expect(
      await comfy.call('POST', 'prompt', { prompt: tinyTxt2imgPrompt(1), prompt_id: 'not-a-uuid' }),
    ).toMatchObject({
      status: 400,
      body: { error: { type: 'invalid_prompt_id' } },
    });
    const broken = tinyTxt2imgPrompt(1);
    broken['3'].inputs.steps = 0;
    const refused = await comfy.call('POST', 'prompt', { prompt: broken });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: { type: 'prompt_outputs_failed_validation' },
        node_errors: { '3': { class_type: 'KSampler' } },
      },
    });
  });

  it('shows the queue and interrupts a running prompt, which history then shows interrupted', async () => {
    const comfy = comfyClient(KEY_A);
    const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(6, 400));
    const id = queued.body.prompt_id;
    let running: unknown[] = [];
    for (let i = 0; i < 100 && running.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      running = (await comfy.call('GET', 'queue')).body.queue_running;
    }
    expect(running).toEqual([
      [queued.body.number, id, tinyTxt2imgPrompt(6, 400), { client_id: 'script' }, ['9']],
    ]);
    expect((await comfy.call('GET', 'prompt')).body).toEqual({ exec_info: { queue_remaining: 1 } });
    expect(await comfy.call('POST', 'interrupt', { prompt_id: id })).toEqual({ status: 200, body: '' });
    const entry = await comfy.history(id);
    expect(entry.status.status_str).toBe('error');
    expect(entry.status.messages.at(-1)[0]).toBe('execution_interrupted');
    expect((await comfy.call('GET', 'prompt')).body).toEqual({ exec_info: { queue_remaining: 0 } });
  });

  it("never shows one key's prompts or files to another", async () => {
    const mine = comfyClient(KEY_A);
    const theirs = comfyClient(KEY_B);
    const queued = await mine.queuePrompt(tinyTxt2imgPrompt(7));
    const entry = await mine.history(queued.body.prompt_id);
    expect((await theirs.call('GET', `history/${queued.body.prompt_id}`)).body).toEqual({});
    expect(Object.keys((await theirs.call('GET', 'history')).body)).not.toContain(queued.body.prompt_id);
    expect((await theirs.view(entry.outputs['9'].images[0])).status).toBe(404);
    expect((await theirs.call('GET', 'queue')).body).toEqual({ queue_running: [], queue_pending: [] });
    expect((await mine.call('GET', 'view?filename=..%2Fx.png')).status).toBe(400);
  });

  it("serves the endpoint's node definitions", async () => {
    const comfy = comfyClient(KEY_A);
    const all = (await comfy.call('GET', 'object_info')).body;
    expect(all.KSampler.input.required.steps[0]).toBe('INT');
    expect((await comfy.call('GET', 'object_info/KSampler')).body).toEqual({ KSampler: all.KSampler });
    expect((await comfy.call('GET', 'object_info/NoSuchNode')).body).toEqual({});
  });
});

describe("ComfyUI's queue and history edits", () => {
  it('takes a pending prompt off the queue, deletes one from history, and clears history', async () => {
    const comfy = comfyClient(KEY_A);
    const running = (await comfy.queuePrompt(tinyTxt2imgPrompt(8, 400))).body.prompt_id;
    const pending = (await comfy.queuePrompt(tinyTxt2imgPrompt(9))).body.prompt_id;
    let queue = (await comfy.call('GET', 'queue')).body;
    for (let i = 0; i < 100 && queue.queue_running.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      queue = (await comfy.call('GET', 'queue')).body;
    }
    expect(queue.queue_running.map((item: unknown[]) => item[1])).toEqual([running]);
    expect(queue.queue_pending.map((item: unknown[]) => item[1])).toEqual([pending]);

    expect(await comfy.call('POST', 'queue', { delete: [pending] })).toEqual({ status: 200, body: '' });
    expect((await comfy.call('GET', 'queue')).body.queue_pending).toEqual([]);
    // Never run, so never in history (as ComfyUI); the execute says why.
    expect((await comfy.call('GET', `history/${pending}`)).body).toEqual({});
    const record: any = await (
      await fetch(`${stack.apiUrl}executes/${pending}`, { headers: { 'x-api-key': KEY_A } })
    ).json();
    expect(record.data.status).toBe('cancelled');

    await comfy.call('POST', 'interrupt', {});
    await comfy.history(running);
    expect(await comfy.call('POST', 'history', { delete: [running] })).toEqual({ status: 200, body: '' });
    expect((await comfy.call('GET', `history/${running}`)).body).toEqual({});
    expect(
      (await fetch(`${stack.apiUrl}executes/${running}`, { headers: { 'x-api-key': KEY_A } })).status,
    ).toBe(404);

    const theirs = comfyClient(KEY_B);
    const kept = (await theirs.queuePrompt(tinyTxt2imgPrompt(10))).body.prompt_id;
    await theirs.history(kept);
    await comfy.call('POST', 'history', { clear: true });
    expect((await comfy.call('GET', 'history')).body).toEqual({});
    expect(Object.keys((await theirs.call('GET', 'history')).body)).toContain(kept);
  });
});

describe("ComfyUI's introspection routes", () => {
  it('lists model folders, the library in a folder, embeddings, and what the endpoint reported', async () => {
    const comfy = comfyClient(KEY_B);
    await uploadModel(stack, 'loras', 'facade/detail.safetensors', Buffer.from('lora'));
    await uploadModel(stack, 'embeddings', 'negative.pt', Buffer.from('embedding'));
    expect((await comfy.call('GET', 'models')).body).toEqual(
      expect.arrayContaining(['checkpoints', 'loras', 'embeddings']),
    );
    expect((await comfy.call('GET', 'models/loras')).body).toContain('facade/detail.safetensors');
    expect(await comfy.call('GET', 'models/nope')).toMatchObject({ status: 404 });
    expect((await comfy.call('GET', 'embeddings')).body).toContain('negative');
    // What the endpoint's ComfyUI (here the simulator) answered its container at boot.
    expect((await comfy.call('GET', 'system_stats')).body).toEqual(SYSTEM_STATS);
    expect((await comfy.call('GET', 'features')).body).toEqual({
      supports_preview_metadata: false,
      max_upload_size: 4_500_000,
    });
  });
});
