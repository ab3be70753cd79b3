import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { halvesPng, invertPrompt } from '../fixtures/media';
import { pngBomb } from '../fixtures/png-bombs';
import { comfyProtocolClient } from './comfy-protocol-client';
import { KEY_A, KEY_B, startE2eStack } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

const comfyClient = (key: string) => comfyProtocolClient(stack.apiUrl, key);

describe("ComfyUI's uploads", () => {
  it("stores /upload/image as one of the caller's inputs, which a LoadImage prompt then runs on", async () => {
    const comfy = comfyClient(KEY_A);
    const upload = async (file: Blob, name: string) => {
      const form = new FormData();
      form.append('image', file, name);
      form.append('subfolder', 'from-a-script');
      form.append('overwrite', 'true');
      const response = await fetch(`${stack.apiUrl}comfyui/upload/image`, {
        method: 'POST',
        headers: { 'x-api-key': KEY_A },
        body: form,
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const image = halvesPng(4, 2);
    const stored = await upload(new Blob([image], { type: 'image/png' }), 'cat.png');
    expect(stored).toEqual({
      status: 200,
      body: { name: expect.stringMatching(/^in-\w+-cat\.png$/), subfolder: '', type: 'input' },
    });
    // A client that names no type: the bytes say what it is.
    const sniffed = await upload(new Blob([image]), 'dog.png');
    expect(sniffed.status).toBe(200);

    const queued = await comfy.queuePrompt(invertPrompt(stored.body.name));
    const entry = await comfy.history(queued.body.prompt_id);
    expect(entry.status.status_str).toBe('success');
    const output = await comfy.view(Object.values(entry.outputs as Record<string, any>)[0].images[0]);
    const { width, height, data } = PNG.sync.read(Buffer.from(await output.arrayBuffer()));
    expect([width, height, ...data.subarray(0, 3)]).toEqual([4, 2, 0, 0, 0]);
    // The uploaded file itself, through /view as an input.
    const input = await comfy.view({ filename: stored.body.name, subfolder: '', type: 'input' });
    expect(Buffer.from(await input.arrayBuffer()).equals(image)).toBe(true);
    expect(
      (await comfyClient(KEY_B).view({ filename: stored.body.name, subfolder: '', type: 'input' })).status,
    ).toBe(404);

    const empty = await fetch(`${stack.apiUrl}comfyui/upload/image`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_A },
      body: new FormData(),
    });
    expect(empty.status).toBe(400);
    const text = await upload(new Blob(['not an image'], { type: 'text/plain' }), 'notes.txt');
    expect(text.status).toBe(400);
  });
});

describe("ComfyUI's mask upload", () => {
  const post = async (route: string, fields: Record<string, Blob | string>, key = KEY_A) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields))
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, name === 'image' ? 'mask.png' : name);
    const response = await fetch(`${stack.apiUrl}comfyui/${route}`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it("puts the mask's alpha on the original and stores the result as a new input", async () => {
    const original = halvesPng(4, 2, { red: true });
    const mask = halvesPng(4, 2, { alpha: true });
    const uploaded = await post('upload/image', { image: new Blob([original], { type: 'image/png' }) });
    const ref = JSON.stringify({ filename: uploaded.body.name, subfolder: '', type: 'input' });
    const masked = await post('upload/mask', {
      image: new Blob([mask], { type: 'image/png' }),
      original_ref: ref,
    });
    expect(masked).toEqual({
      status: 200,
      body: { name: expect.stringMatching(/^in-\w+-mask\.png$/), subfolder: '', type: 'input' },
    });
    const result = await comfyClient(KEY_A).view({
      filename: masked.body.name,
      subfolder: '',
      type: 'input',
    });
    const made = PNG.sync.read(Buffer.from(await result.arrayBuffer()));
    const [fromOriginal, fromMask] = [PNG.sync.read(original), PNG.sync.read(mask)];
    for (let i = 0; i < made.data.length; i += 4) {
      expect([...made.data.subarray(i, i + 3)]).toEqual([...fromOriginal.data.subarray(i, i + 3)]);
      expect(made.data[i + 3]).toBe(fromMask.data[i + 3]);
    }

    // Another key's original, a missing one, or a mask of another size: 400, nothing stored.
    expect((await post('upload/mask', { image: new Blob([mask]), original_ref: ref }, KEY_B)).status).toBe(
      400,
    );
    const missing = JSON.stringify({ filename: 'nothing.png', type: 'input' });
    expect((await post('upload/mask', { image: new Blob([mask]), original_ref: missing })).status).toBe(400);
    const wrongSize = new Blob([halvesPng(2, 2, { alpha: true })], { type: 'image/png' });
    expect((await post('upload/mask', { image: wrongSize, original_ref: ref })).status).toBe(400);
    expect((await post('upload/mask', { image: new Blob([mask]) })).status).toBe(400);
  });

  it("refuses issue 25's 10000×10000 PNG bomb from its header, at once, whichever side it is on", async () => {
    const original = halvesPng(4, 2, { red: true });
    const uploaded = await post('upload/image', { image: new Blob([original], { type: 'image/png' }) });
    const ref = JSON.stringify({ filename: uploaded.body.name, subfolder: '', type: 'input' });
    const refused = await post('upload/mask', {
      image: new Blob([pngBomb()], { type: 'image/png' }),
      original_ref: ref,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(
      /^400: Bad Request: the mask is 10000×10000; masks are painted here on images of at most/,
    );
    const bombUpload = await post('upload/image', { image: new Blob([pngBomb()], { type: 'image/png' }) });
    const bombRef = JSON.stringify({ filename: bombUpload.body.name, subfolder: '', type: 'input' });
    const mask = new Blob([halvesPng(4, 2, { alpha: true })], { type: 'image/png' });
    const againstBomb = await post('upload/mask', { image: mask, original_ref: bombRef });
    expect(againstBomb.status).toBe(400);
    expect(againstBomb.body).toMatch(/^400: Bad Request: original_ref is 10000×10000;/);
  });
});
