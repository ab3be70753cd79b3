import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Client } from '@stable-canvas/comfyui-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, KEY_B, startE2eStack } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

/**
 * A third-party ComfyUI client from npm, unmodified, given only what its own options take: the
 * host and base path, and (through the fetch and WebSocket it lets callers supply, as it asks
 * Node users to) the API key header. It builds its websocket URL as `/ws` at the host's root,
 * whatever the base path, so the supplied WebSocket connects to the stack's websocket URL.
 */
function thirdPartyClient(key: string, clientId: string) {
  const api = new URL(stack.apiUrl);
  const socketUrl = stack.webSocketUrl;
  class KeyedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const target = new URL(socketUrl);
      target.search = new URL(url).search;
      super(target, protocols, { headers: { 'x-api-key': key } });
    }
  }
  const keyedFetch = (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-api-key': key } });
  return new Client({
    api_host: api.host,
    api_base: `${api.pathname}comfyui`,
    clientId,
    WebSocket: KeyedWebSocket,
    fetch: keyedFetch,
  });
}

describe('@stable-canvas/comfyui-client against /comfyui/', () => {
  it('connects, runs a prompt over the websocket with progress, and its image URLs serve the S3 bytes', async () => {
    const client = thirdPartyClient(KEY_A, 'stable-canvas');
    try {
      expect(await client.connect()).toBe(true);
      const stats = await client.getSystemStats();
      expect(stats.system).toBeDefined();
      const steps: number[] = [];
      const output = await client.enqueue(tinyTxt2imgPrompt(31), {
        progress: (progress) => steps.push(progress.value),
      });
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.at(-1)).toBe(20);
      expect(output.images).toHaveLength(1);
      const [image] = output.images;
      expect(image!.type).toBe('url');

      const record = (await api(stack, 'GET', `executes/${output.prompt_id}`)).body.data;
      const prefix = record.output_path.replace(`s3://${stack.bucket}/`, '').replace(/\/$/, '');
      const stored = await stack.s3.send(
        new GetObjectCommand({ Bucket: stack.bucket, Key: `${prefix}/${record.outputs['9'].images[0].key}` }),
      );
      const viewed = await fetch(image!.data as string, { headers: { 'x-api-key': KEY_A } });
      expect(viewed.status).toBe(200);
      expect(
        Buffer.from(await viewed.arrayBuffer()).equals(
          Buffer.from(await stored.Body!.transformToByteArray()),
        ),
      ).toBe(true);

      const { History } = await client.getHistory(10);
      expect(History.map((item) => item.prompt[1])).toContain(output.prompt_id);
      const queue = await client.getQueue();
      expect(queue).toEqual({ Running: [], Pending: [] });
    } finally {
      client.close();
    }
  });

  it('interrupts a running prompt through the library, and another key sees none of it', async () => {
    const client = thirdPartyClient(KEY_A, 'stable-canvas-interrupt');
    const other = thirdPartyClient(KEY_B, 'stable-canvas-interrupt');
    try {
      await Promise.all([client.connect(), other.connect()]);
      const seenByOther: string[] = [];
      other.on('executing', (message) => seenByOther.push(String(message?.prompt_id)));
      const started = new Promise<string>((resolve) =>
        client.once('progress', (message) => resolve(String(message.prompt_id))),
      );
      const queued = await client.queuePrompt(0, { prompt: tinyTxt2imgPrompt(32, 300), workflow: undefined });
      expect('prompt_id' in queued).toBe(true);
      const id = await started;
      await client.interrupt(id);
      const interrupted = await new Promise((resolve) =>
        client.once('execution_interrupted', (message) => resolve(message.prompt_id)),
      );
      expect(interrupted).toBe(id);
      expect((await other.getHistory(50)).History).toEqual([]);
      expect(seenByOther).toEqual([]);
    } finally {
      client.close();
      other.close();
    }
  });
});
