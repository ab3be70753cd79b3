import { get as httpGet } from 'node:http';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { comfyProtocolClient } from './comfy-protocol-client';
import { comfySocket } from './comfy-socket-client';
import { api, KEY_A, KEY_B, startE2eStack } from './local-api';

/**
 * Issue 27, point 16: a browser cannot send x-api-key on a WebSocket or an `<img src>`. A key
 * gets a short-lived browser token (GET /comfyui/token) and uses it where no header can go:
 * `?token=` on the websocket, and `/comfyui/t/{token}/view` for images. Nothing here sends the key
 * with the token, and the key never appears in a URL.
 */
let stack: LocalStack;
/** A's finished prompt and its first image, as ComfyUI's history names it. */
let promptA: string;
let imageA: { filename: string; subfolder: string; type: string };
let storedA: Buffer;

interface TokenAnswer {
  token: string;
  expires_in: number;
  expires_at: string;
  view_url: string;
  websocket_url: string;
}

async function tokenOf(key: string, query = ''): Promise<TokenAnswer> {
  const answer = await api(stack, 'GET', `comfyui/token${query}`, { key });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

/** What an `<img src>` sends: a GET with no headers of ours, the redirect not yet followed. */
const imgGet = (url: string) => fetch(url, { redirect: 'manual' });

const viewQuery = (item: typeof imageA) =>
  `?${new URLSearchParams({ filename: item.filename, subfolder: item.subfolder, type: item.type })}`;

const absolute = (url: string) => new URL(url, stack.apiUrl).toString();

/** A GET with exactly these headers (fetch will not send a Host of the caller's choosing). */
function rawGet(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

beforeAll(async () => {
  stack = await startE2eStack();
  const comfy = comfyProtocolClient(stack.apiUrl, KEY_A);
  const socket = await comfySocket(stack.webSocketUrl, KEY_A, 'token-setup');
  const queued = await comfy.queuePrompt(tinyTxt2imgPrompt(31), 'token-setup');
  expect(queued.status).toBe(200);
  promptA = queued.body.prompt_id;
  await socket.followPrompt(promptA);
  socket.close();
  const entry = await comfy.history(promptA);
  imageA = (Object.values(entry.outputs)[0] as { images: (typeof imageA)[] }).images[0]!;
  const record = (await api(stack, 'GET', `executes/${promptA}`)).body.data;
  const prefix = record.output_path.replace(`s3://${stack.bucket}/`, '').replace(/\/$/, '');
  const key = (Object.values(record.outputs)[0] as { images: { key: string }[] }).images[0]!.key;
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `${prefix}/${key}` }));
  storedA = Buffer.from(await object.Body!.transformToByteArray());
}, 120_000);
afterAll(() => stack?.stop());

describe('GET /comfyui/token', () => {
  it('answers a token that lives 10 minutes by default, with the URLs that carry it, and never the key', async () => {
    const before = Date.now();
    const answer = await tokenOf(KEY_A);
    expect(answer.expires_in).toBe(600);
    const expires = Date.parse(answer.expires_at);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 599_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 601_000);
    // Absolute, as a page on another origin needs it (an <img src> resolves against the page).
    expect(answer.view_url).toBe(`${stack.apiUrl}comfyui/t/${answer.token}/view`);
    const socket = new URL(answer.websocket_url);
    expect(socket.searchParams.get('token')).toBe(answer.token);
    expect(`${socket.origin}${socket.pathname}`).toBe(stack.webSocketUrl);
    for (const carried of [answer.token, answer.view_url, answer.websocket_url]) {
      expect(carried).not.toContain(KEY_A);
      expect(carried).not.toContain(Buffer.from(KEY_A).toString('base64url'));
    }
    // The gateway says how it was reached, not the client (API Gateway sets X-Forwarded-Proto itself).
    const spoofed = await rawGet(`${stack.apiUrl}comfyui/token`, {
      'x-api-key': KEY_A,
      'X-Forwarded-Proto': 'https',
      Host: 'evil.example/phish?x=',
    });
    expect((JSON.parse(spoofed) as TokenAnswer).view_url).toMatch(new RegExp(`^${stack.apiUrl}comfyui/t/`));
    // ComfyUI's /api prefix too, and the view URL follows the path called.
    const underApi = (await api(stack, 'GET', 'comfyui/api/token?expires_in=3600')).body;
    expect(underApi.expires_in).toBe(3600);
    expect(underApi.view_url).toMatch(/\/prod\/comfyui\/t\/[^/]+\/view$/);
  });

  it('refuses a lifetime out of bounds or not a whole number of seconds, and needs the key itself', async () => {
    for (const asked of ['59', '3601', 'abc', '600.5', '-1', '']) {
      const refused = await api(stack, 'GET', `comfyui/token?expires_in=${asked}`);
      expect(refused.status, asked).toBe(400);
      expect(refused.body).toContain('expires_in must be a whole number of seconds from 60 to 3600');
    }
    expect((await api(stack, 'GET', 'comfyui/token', { key: null })).status).toBe(403);
  });
});

describe('/comfyui/t/{token}/view: images without the key', () => {
  it("redirects to the token's key's own file, byte for byte, under both paths", async () => {
    const { view_url: viewUrl } = await tokenOf(KEY_A);
    for (const url of [viewUrl, viewUrl.replace(/\/view$/, '/api/view')]) {
      const redirect = await imgGet(`${absolute(url)}${viewQuery(imageA)}`);
      expect(redirect.status, url).toBe(302);
      const image = await fetch(redirect.headers.get('location')!);
      expect(image.status).toBe(200);
      expect(Buffer.from(await image.arrayBuffer()).equals(storedA)).toBe(true);
    }
  });

  it("never shows another key's file: B's token gets 404 for A's image, as B's key does", async () => {
    const { view_url: viewUrl } = await tokenOf(KEY_B);
    const answer = await imgGet(`${absolute(viewUrl)}${viewQuery(imageA)}`);
    expect(answer.status).toBe(404);
    const withKey = await api(stack, 'GET', `comfyui/view${viewQuery(imageA)}`, { key: KEY_B });
    expect(withKey.status).toBe(404);
  });

  it('bounds the signed URL by the token: it never outlives it', async () => {
    const { view_url: viewUrl } = await tokenOf(KEY_A, '?expires_in=60');
    const redirect = await imgGet(`${viewUrl}${viewQuery(imageA)}`);
    const expires = Number(new URL(redirect.headers.get('location')!).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(0);
    expect(expires).toBeLessThanOrEqual(60);
  });

  it('answers 400, not a 500, for a name too long to be a file of anyone', async () => {
    const { view_url: viewUrl } = await tokenOf(KEY_B);
    for (const filename of ['a'.repeat(1100), '€'.repeat(400)]) {
      const answer = await imgGet(`${viewUrl}?${new URLSearchParams({ filename, type: 'input' })}`);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatch(/^400: Bad Request: filename '.*' is over 900 bytes in UTF-8$/);
    }
  });

  it('refuses with 403 a token that was altered, made up, or is the key itself', async () => {
    const { token } = await tokenOf(KEY_A);
    const body = token.slice(3);
    const flipped = `v1.${body.slice(0, 20)}${body[20] === 'A' ? 'B' : 'A'}${body.slice(21)}`;
    for (const forged of [
      flipped,
      'v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      KEY_A,
      'v2.x',
    ]) {
      const answer = await imgGet(`${stack.apiUrl}comfyui/t/${forged}/view${viewQuery(imageA)}`);
      expect(answer.status, forged).toBe(403);
      expect(await answer.json()).toMatch(/^403: Forbidden: the token (was not issued|is not one)/);
    }
  });

  it('does not open the keyed routes: a token is not a key anywhere else', async () => {
    const { token } = await tokenOf(KEY_A);
    const response = await fetch(`${stack.apiUrl}comfyui/view${viewQuery(imageA)}&token=${token}`);
    expect(response.status).toBe(403);
    const executes = await fetch(`${stack.apiUrl}comfyui/t/${token}/history`);
    expect(executes.status).toBe(403);
  });
});

describe('the websocket with ?token=', () => {
  it("follows the token's key's prompts with no header, as a browser's WebSocket connects", async () => {
    const { websocket_url: url } = await tokenOf(KEY_A);
    const socket = await comfySocket(url, undefined, 'browser-tab');
    const greeting = await socket.until((m) => m.type === 'status');
    expect(greeting.data.sid).toBe('browser-tab');
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(
      tinyTxt2imgPrompt(32),
      'browser-tab',
    );
    const mine = await socket.followPrompt(queued.body.prompt_id);
    expect(mine.map((m) => m.type)).toContain('execution_success');
    socket.close();
  });

  it("never tells B's token of A's prompts, even under A's clientId", async () => {
    const { websocket_url: url } = await tokenOf(KEY_B);
    const spy = await comfySocket(url, undefined, 'shared-client');
    const owner = await comfySocket(stack.webSocketUrl, KEY_A, 'shared-client');
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(
      tinyTxt2imgPrompt(33),
      'shared-client',
    );
    const id = queued.body.prompt_id;
    await owner.followPrompt(id);
    // B's connection is still open and got its own greeting, and nothing of A's prompt.
    expect(spy.messages.some((m) => m.type === 'status')).toBe(true);
    expect(JSON.stringify(spy.messages)).not.toContain(id);
    spy.close();
    owner.close();
  });

  it('refuses an altered token or no credential at all with 401 before any connection is kept', async () => {
    const { websocket_url: url } = await tokenOf(KEY_A);
    const altered = new URL(url);
    const token = altered.searchParams.get('token')!;
    altered.searchParams.set('token', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
    for (const [target, key] of [
      [altered.toString(), undefined],
      [stack.webSocketUrl, undefined],
      [`${stack.webSocketUrl}?token=`, undefined],
    ] as const) {
      const refused = await comfySocket(target, key, 'refused').catch(
        (error: { statusCode?: number }) => error,
      );
      expect(refused, target).toMatchObject({ statusCode: 401 });
    }
    // A key that is not one of the API's, in the header: the key check refuses it (403), as before.
    const wrongKey = await comfySocket(stack.webSocketUrl, 'not-a-key-of-this-api', 'x').catch(
      (error: { statusCode?: number }) => error,
    );
    expect(wrongKey).toMatchObject({ statusCode: 403 });
  });
});
