import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComfyExecClient } from '../../client/src/index';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
  // A fresh stack's first run also starts its endpoint: the waits below are for runs, not for that.
  const first = await api(stack, 'POST', 'executes', { body: { prompt: tinyTxt2imgPrompt(30) } });
  await pollUntilFinal(stack, first.body.data.prompt_id);
}, 180_000);
afterAll(() => stack?.stop());

/** POST /executes as any client sends it, keeping the answer's headers. */
async function create(body: Record<string, unknown>, key = KEY_A) {
  const response = await fetch(`${stack.apiUrl}executes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const PNG_SIGNATURE = '89504e470d0a1a0a';

describe('POST /executes with wait', () => {
  it('answers 201 with the finished execute, its files signed, when it ends within the wait', async () => {
    const created = await create({ prompt: tinyTxt2imgPrompt(31), wait: 29 });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ status: 'success', progress: { percent: 100 } });
    expect(created.body.data.output_files).toHaveLength(1);
    const png = Buffer.from(await (await fetch(created.body.data.output_files[0])).arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    expect(created.body.data.outputs['9'].images[0]).toMatchObject({ url: expect.stringMatching(/^http/) });
  });

  it('waits on an idempotent retry too: the same request again, with wait, answers the finished execute', async () => {
    const body = { prompt: tinyTxt2imgPrompt(33), prompt_id: randomUUID() };
    const first = await create(body);
    expect(first.status).toBe(201);
    expect(first.body.data.status).toBe('created');
    const retried = await create({ ...body, wait: 29 });
    expect(retried.status).toBe(200);
    expect(retried.body.data).toMatchObject({ prompt_id: body.prompt_id, status: 'success' });
    expect(retried.body.data.output_files).toHaveLength(1);
  });

  it.each([
    [30, 'wait must be a whole number of seconds from 0 to 29'],
    [-1, 'wait must be a whole number of seconds from 0 to 29'],
    [2.5, 'wait must be a whole number of seconds from 0 to 29'],
    ['5', 'wait must be a whole number of seconds from 0 to 29'],
  ])('refuses wait %j with a 400 naming it, creating nothing', async (wait, message) => {
    const before = (await api(stack, 'GET', 'executes?limit=100')).body.data.executes.length;
    const created = await create({ prompt: tinyTxt2imgPrompt(34), wait });
    expect(created.status).toBe(400);
    expect(created.body.message).toContain(message);
    expect((await api(stack, 'GET', 'executes?limit=100')).body.data.executes.length).toBe(before);
  });

  it('refuses inline without wait: only a create that waits has files to show', async () => {
    const created = await create({ prompt: tinyTxt2imgPrompt(35), inline: true });
    expect(created.status).toBe(400);
    expect(created.body.message).toContain('inline needs wait');
  });

  it('carries the small output files inline when asked with wait', async () => {
    const created = await create({ prompt: tinyTxt2imgPrompt(36), wait: 29, inline: true });
    expect(created.status).toBe(201);
    const image = created.body.data.outputs['9'].images[0];
    expect(image.content_type).toBe('image/png');
    const downloaded = Buffer.from(await (await fetch(image.url)).arrayBuffer());
    expect(Buffer.from(image.data, 'base64').equals(downloaded)).toBe(true);
  });
});

describe("the client's create with wait, and get with inline", () => {
  it('waits out the server: its own timeout outlasts the wait, without retries to hide one', async () => {
    const client = new ComfyExecClient({
      apiUrl: stack.apiUrl,
      apiKey: KEY_A,
      timeoutMs: 1000,
      retry: { retries: 0 },
    });
    // 200 steps of the simulator's 10 ms: the run outlasts the client's own 1 s timeout.
    const execute = await client.create({ prompt: tinyTxt2imgPrompt(39, 200), wait: 29 });
    expect(execute).toMatchObject({ status: 'success', prompt_id: expect.any(String) });
    const inlined = await client.get(execute.prompt_id, undefined, { inline: true });
    const image = (inlined.outputs as any)['9'].images[0];
    expect(Buffer.from(image.data, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
  });
});

describe('GET /executes/{id}?inline=1', () => {
  it('returns each small output file as base64 beside its signed URL; without inline, only URLs', async () => {
    const created = await api(stack, 'POST', 'executes', { body: { prompt: tinyTxt2imgPrompt(37) } });
    const id = created.body.data.prompt_id;
    await pollUntilFinal(stack, id);
    const plain = (await api(stack, 'GET', `executes/${id}`)).body.data.outputs['9'].images[0];
    expect(plain.data).toBeUndefined();
    const inlined = (await api(stack, 'GET', `executes/${id}?inline=1`)).body.data.outputs['9'].images[0];
    expect(inlined).toMatchObject({ filename: plain.filename, content_type: 'image/png' });
    const downloaded = Buffer.from(await (await fetch(inlined.url)).arrayBuffer());
    expect(downloaded.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    expect(Buffer.from(inlined.data, 'base64').equals(downloaded)).toBe(true);
  });

  it('refuses an inline value it does not know, and shows another key nothing', async () => {
    const created = await api(stack, 'POST', 'executes', { body: { prompt: tinyTxt2imgPrompt(38) } });
    const id = created.body.data.prompt_id;
    const refused = await api(stack, 'GET', `executes/${id}?inline=yes`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('inline must be 1 or true');
    expect((await api(stack, 'GET', `executes/${id}?inline=1`, { key: KEY_B })).status).toBe(404);
    await pollUntilFinal(stack, id);
  });
});

describe('POST /executes with wait, the execute still going', () => {
  it('answers 202 with the execute as it is and where to poll it when the wait ends first', async () => {
    // The emulated endpoint never answers this one (until its invocation timeout); it holds the
    // endpoint's one worker meanwhile, hence last.
    const prompt = tinyTxt2imgPrompt(32);
    const created = await create({ prompt, wait: 1, extra_data: { simulate: { fault: 'hang' } } });
    expect(created.status).toBe(202);
    expect(['created', 'running']).toContain(created.body.data.status);
    const id = created.body.data.prompt_id;
    // Absolute, as API Gateway's X-Forwarded-Proto and Host let it be (the local gateway adds them too).
    expect(created.body.message).toContain(`poll ${stack.apiUrl}executes/${id}`);
    expect(created.headers.get('location')).toBe(`${stack.apiUrl}executes/${id}`);
    const location = new URL(created.headers.get('location')!);
    expect(location.pathname).toBe(`/prod/executes/${id}`);
    const polled = await fetch(location, { headers: { 'x-api-key': KEY_A } });
    expect(polled.status).toBe(200);
    expect(((await polled.json()) as any).data.prompt_id).toBe(id);
    expect((await api(stack, 'POST', `executes/${id}/cancel`)).status).toBe(200);
  });
});
