import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { halvesPng, invertPrompt } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { comfyProtocolClient } from './comfy-protocol-client';
import { comfySocket } from './comfy-socket-client';
import { api, KEY_A, KEY_B, startE2eStack } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

const open = (clientId: string, key: string | null = KEY_A) =>
  comfySocket(stack.webSocketUrl, key ?? undefined, clientId);

async function s3Object(key: string) {
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

describe("ComfyUI's websocket at /comfyui/ws", () => {
  it('follows a prompt as websockets_api_example.py does, then reads history and views every image byte for byte', async () => {
    const socket = await open('example-client');
    const greeting = await socket.until((m) => m.type === 'status');
    expect(greeting.data).toEqual({ status: { exec_info: { queue_remaining: 0 } }, sid: 'example-client' });

    const comfy = comfyProtocolClient(stack.apiUrl, KEY_A);
    const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(11), 'example-client');
    expect(queued.status).toBe(200);
    const id = queued.body.prompt_id;
    const mine = await socket.followPrompt(id);
    const types = mine.map((m) => m.type);
    // ComfyUI's order: start, cached, each node as it runs (the sampler with its steps), outputs,
    // every node finished (progress_state), end.
    expect(types.slice(0, 2)).toEqual(['execution_start', 'execution_cached']);
    expect(types.slice(-4)).toEqual(['executed', 'progress_state', 'execution_success', 'executing']);
    const executing = mine.filter((m) => m.type === 'executing').map((m) => m.data.node);
    // Every node ComfyUI ran gets its executing, however fast (the container records each start).
    expect(new Set(executing.filter(Boolean))).toEqual(new Set(Object.keys(tinyTxt2imgPrompt(11))));
    expect(executing.at(-1)).toBeNull();
    const steps = mine.filter((m) => m.type === 'progress');
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)!.data).toEqual({ value: 20, max: 20, prompt_id: id, node: '3' });
    expect(types.indexOf('executing')).toBeLessThan(types.indexOf('progress'));
    // As ComfyUI's worker ends a prompt: the outcome, the queue size, then executing with node null.
    const end = socket.messages.findIndex((m) => m.type === 'executing' && m.data.node === null);
    expect(socket.messages.slice(end - 2, end + 1)).toEqual([
      { type: 'execution_success', data: { prompt_id: id, timestamp: expect.any(Number) } },
      { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } } } },
      { type: 'executing', data: { node: null, prompt_id: id } },
    ]);

    const executed = mine.find((m) => m.type === 'executed')!.data;
    const entry = await comfy.history(id);
    expect(executed.output).toEqual(entry.outputs[executed.node]);
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    const prefix = record.output_path.replace(`s3://${stack.bucket}/`, '').replace(/\/$/, '');
    for (const [index, image] of (
      executed.output.images as { filename: string; subfolder: string; type: string }[]
    ).entries()) {
      const viewed = await comfy.view(image);
      expect(viewed.status).toBe(200);
      const stored = await s3Object(`${prefix}/${record.outputs[executed.node].images[index].key}`);
      expect(Buffer.from(await viewed.arrayBuffer()).equals(stored)).toBe(true);
    }
    socket.close();
  });

  it("sends progress_state as ComfyUI does: before each node's executing and each progress, all finished before execution_success", async () => {
    const socket = await open('progress-state-client');
    const prompt = tinyTxt2imgPrompt(15);
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(
      prompt,
      'progress-state-client',
    );
    const id = queued.body.prompt_id;
    const mine = await socket.followPrompt(id);
    const states = mine.filter((m) => m.type === 'progress_state');
    expect(states.length).toBeGreaterThan(0);
    // The shape ComfyUI 0.3.64 sends (test/fixtures/real-comfyui/progress.messages.json).
    for (const { data } of states) {
      expect(Object.keys(data)).toEqual(['prompt_id', 'nodes']);
      for (const [node, entry] of Object.entries<any>(data.nodes))
        expect(entry).toEqual({
          value: expect.any(Number),
          max: expect.any(Number),
          state: expect.stringMatching(/^(running|finished)$/),
          node_id: node,
          prompt_id: id,
          display_node_id: node,
          parent_node_id: null,
          real_node_id: node,
        });
    }
    mine.forEach((message, index) => {
      const node = message.data.node;
      if (message.type === 'executing' && node !== null)
        expect(mine[index - 1]).toMatchObject({
          type: 'progress_state',
          data: { nodes: { [node]: { state: 'running', value: 0, max: 1 } } },
        });
      if (message.type === 'progress')
        expect(mine[index - 1]).toMatchObject({
          type: 'progress_state',
          data: { nodes: { [node]: { state: 'running', value: message.data.value, max: message.data.max } } },
        });
    });
    const success = mine.findIndex((m) => m.type === 'execution_success');
    const last = mine[success - 1]!;
    expect(last.type).toBe('progress_state');
    expect(Object.keys(last.data.nodes).sort()).toEqual(Object.keys(prompt).sort());
    for (const entry of Object.values<any>(last.data.nodes))
      expect([entry.state, entry.value]).toEqual(['finished', entry.max]);
    expect(last.data.nodes['3']).toMatchObject({ value: 20, max: 20 });
    socket.close();
  });

  it('follows a UI workflow posted as the prompt, as ESD clients post it', async () => {
    const socket = await open('ui-client');
    const recorded = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/embedded-workflow/recorded.json'), 'utf8'),
    )['inverted.png'];
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(recorded.workflow, 'ui-client');
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    const types = (await socket.followPrompt(queued.body.prompt_id)).map((m) => m.type);
    expect(types).toContain('execution_success');
    socket.close();
  });

  it('says execution_interrupted for an interrupted prompt, then ends it', async () => {
    const socket = await open('interrupted');
    const comfy = comfyProtocolClient(stack.apiUrl, KEY_A);
    const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(12, 300), 'interrupted');
    const id = queued.body.prompt_id;
    await socket.until((m) => m.type === 'progress' && m.data.prompt_id === id);
    expect((await comfy.call('POST', 'interrupt', { prompt_id: id })).status).toBe(200);
    const types = (await socket.followPrompt(id)).map((m) => m.type);
    expect(types.slice(-2)).toEqual(['execution_interrupted', 'executing']);
    expect(types).not.toContain('execution_success');
    socket.close();
  });

  it('greets a client that connects late with the queue and the node its prompt is at', async () => {
    const comfy = comfyProtocolClient(stack.apiUrl, KEY_A);
    const watcher = await open('late-watcher');
    const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(13, 300), 'late');
    const id = queued.body.prompt_id;
    await watcher.until((m) => m.type === 'status' && m.data.status.exec_info.queue_remaining === 1);
    await pollUntil(async () => (await api(stack, 'GET', `executes/${id}`)).body.data.current_node === '3');
    const late = await open('late');
    // The greeting: the queue with the session id, then the node, as ComfyUI greets a reconnect.
    // (The prompt's own messages keep flowing meanwhile; they may arrive first.)
    const greeting = await late.until((m) => m.type === 'status' && 'sid' in m.data);
    expect(greeting.data).toEqual({ status: { exec_info: { queue_remaining: 1 } }, sid: 'late' });
    expect(await late.until((m) => m.type === 'executing' && !('prompt_id' in m.data))).toEqual({
      type: 'executing',
      data: { node: '3' },
    });
    await comfy.call('POST', 'interrupt', { prompt_id: id });
    await late.followPrompt(id);
    watcher.close();
    late.close();
  });

  it("never tells one key's connections of another key's prompts, even under the same clientId", async () => {
    const a = await open('shared-id', KEY_A);
    const b = await open('shared-id', KEY_B);
    await b.until((m) => m.type === 'status');
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(
      tinyTxt2imgPrompt(14),
      'shared-id',
    );
    await a.followPrompt(queued.body.prompt_id);
    // B's own queue changes would reach it; A's prompt never does (give the stream time to say it).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.messages).toEqual([
      { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'shared-id' } },
    ]);
    a.close();
    b.close();
  });

  it('refuses a websocket without a valid key at $connect, and a clientId it cannot keep', async () => {
    // No credential at all: the $connect authorizer refuses (401); a key API Gateway does not know: 403.
    await expect(open('no-key', null)).rejects.toMatchObject({ statusCode: 401 });
    await expect(open('wrong-key', 'notAKeyAtAllxxxxxxxx')).rejects.toMatchObject({ statusCode: 403 });
    await expect(open('has space')).rejects.toMatchObject({ statusCode: 400 });
  });

  it('tells a plain HTTP request for /comfyui/ws where the websocket is (on AWS, a host of its own)', async () => {
    const answer = await comfyProtocolClient(stack.apiUrl, KEY_A).call('GET', 'ws?clientId=x');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { type: 'websocket_elsewhere', message: expect.stringContaining(stack.webSocketUrl) },
      websocket_url: stack.webSocketUrl,
    });
  });

  it("answers a client's feature_flags with the server's, as ComfyUI does", async () => {
    const socket = await open('flags');
    socket.send({ type: 'feature_flags', data: { supports_preview_metadata: true } });
    const answer = await socket.until((m) => m.type === 'feature_flags');
    const features = await comfyProtocolClient(stack.apiUrl, KEY_A).call('GET', 'features');
    expect(answer.data).toEqual(features.body);
    socket.close();
  });
});

describe("ComfyUI's routes under /comfyui/api/, as ComfyUI's own frontend calls them", () => {
  it('uploads, queues, follows the prompt on /comfyui/api/ws, reads its history and views its output', async () => {
    const comfy = comfyProtocolClient(stack.apiUrl, KEY_A, 'comfyui/api/');
    const form = new FormData();
    form.append('image', new Blob([halvesPng(4, 2)], { type: 'image/png' }), 'cat.png');
    const upload = await fetch(`${stack.apiUrl}comfyui/api/upload/image`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_A },
      body: form,
    });
    expect(upload.status).toBe(200);
    const uploaded = (await upload.json()) as { name: string };
    expect(uploaded).toEqual({
      name: expect.stringMatching(/^in-\w+-cat\.png$/),
      subfolder: '',
      type: 'input',
    });

    const apiSocketUrl = stack.webSocketUrl.replace(/\/comfyui\/ws$/, '/comfyui/api/ws');
    const socket = await comfySocket(apiSocketUrl, KEY_A, 'frontend');
    expect((await socket.until((m) => m.type === 'status')).data.sid).toBe('frontend');
    const queued = await comfy.queuePrompt(invertPrompt(uploaded.name), 'frontend');
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    const id = queued.body.prompt_id;
    const types = (await socket.followPrompt(id)).map((m) => m.type);
    expect(types.slice(-2)).toEqual(['execution_success', 'executing']);
    socket.close();

    const entry = await comfy.history(id);
    expect(entry.status.status_str).toBe('success');
    const image = Object.values(entry.outputs as Record<string, any>)[0].images[0];
    const underApi = await comfy.view(image);
    const bare = await comfyProtocolClient(stack.apiUrl, KEY_A).view(image);
    expect([underApi.status, bare.status]).toEqual([200, 200]);
    const bytes = Buffer.from(await underApi.arrayBuffer());
    expect(bytes.equals(Buffer.from(await bare.arrayBuffer()))).toBe(true);
    const { width, height, data } = PNG.sync.read(bytes);
    expect([width, height, ...data.subarray(0, 3)]).toEqual([4, 2, 0, 0, 0]);

    // A plain GET of /comfyui/api/ws answers as /comfyui/ws does (on AWS, the websocket is elsewhere).
    expect(await comfy.call('GET', 'ws?clientId=x')).toEqual({
      status: 400,
      body: {
        error: { type: 'websocket_elsewhere', message: expect.stringContaining(stack.webSocketUrl) },
        websocket_url: stack.webSocketUrl,
      },
    });
  });
});

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 20_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition never held');
}
