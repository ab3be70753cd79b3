import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CALLER_TOKEN_HEADER } from '../../container/src/caller-token';
import { ComfyUiClient } from '../../container/src/comfy-client';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';

/** What a websocket upgrade to `url` gets: 'open', or the HTTP status it was refused with. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', reject);
  });
}

let simulator: ComfyUiSimulator;
const token = 'the-container-token';
beforeAll(async () => {
  simulator = await startComfyUiSimulator({ callerToken: token, stepMs: 1 });
});
afterAll(() => simulator?.stop());

describe('the ComfyUI simulator as npm start runs it (a caller token)', () => {
  it("keeps every key's history, files and queue from anyone without the container's token", async () => {
    const paths = ['/system_stats', '/history', '/queue', '/object_info', '/view?filename=a.png&type=output'];
    for (const given of [undefined, 'guessed', `${token}x`]) {
      const headers = given ? { [CALLER_TOKEN_HEADER]: given } : undefined;
      for (const path of paths)
        expect((await fetch(`${simulator.url}${path}`, { headers })).status, `${path} ${given}`).toBe(403);
      const posted = await fetch(`${simulator.url}/prompt`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: { '1': { class_type: 'EmptyImage', inputs: {} } } }),
      });
      expect(posted.status).toBe(403);
      expect(await upgrade(`${simulator.url.replace('http', 'ws')}/ws?clientId=x`, headers ?? {})).toBe(403);
    }
    expect(simulator.history.size).toBe(0);
  });

  it("answers the container's client, which sends the token on every call and on its websocket", async () => {
    const client = new ComfyUiClient(simulator.url, 5000, { [CALLER_TOKEN_HEADER]: token });
    expect(await client.isUp(5000)).toBe(true);
    expect(Object.keys((await client.objectInfo()) as object)).toContain('SaveImage');
    const events = await client.openEvents('caller', () => {});
    expect(events.closed()).toBe(false);
    events.close();
    const without = new ComfyUiClient(simulator.url, 5000);
    expect(await without.isUp(5000)).toBe(false);
    await expect(without.openEvents('stranger', () => {})).rejects.toThrow();
  });
});
