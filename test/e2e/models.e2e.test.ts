import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, KEY_B, pollUntilFinal, uploadModel } from './local-api';

const MIB = 1024 ** 2;
let stack: LocalStack;
beforeAll(async () => {
  // Key A writes the library, key B only reads it; 5 MiB parts keep the files small.
  stack = await startLocalStack({
    port: 0,
    apiKeys: [KEY_A, KEY_B],
    simStepMs: 1,
    modelPartBytes: 5 * MIB,
    modelCacheBytes: 8 * MIB,
  });
}, 120_000);
afterAll(() => stack?.stop());

/** A file of `size` bytes whose content depends on `seed`. */
function modelBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096 + seed) % 256;
  return bytes;
}

async function start(body: Record<string, unknown>, key = KEY_A) {
  return api(stack, 'POST', 'models', { body, key });
}

/** PUTs every part as a client does; returns the parts with the ETags S3 answered. */
async function putParts(parts: { part_number: number; size: number; url: string }[], bytes: Buffer) {
  let offset = 0;
  const uploaded: { part_number: number; etag: string }[] = [];
  for (const part of parts) {
    const answer = await fetch(part.url, { method: 'PUT', body: bytes.subarray(offset, offset + part.size) });
    expect(answer.status).toBe(200);
    uploaded.push({ part_number: part.part_number, etag: answer.headers.get('etag')! });
    offset += part.size;
  }
  return uploaded;
}

describe('end to end through HTTP: the model library', () => {
  it('uploads a model in presigned parts, lists it, and deletes it', async () => {
    const bytes = modelBytes(6 * MIB + 123, 1);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const started = await start({
      folder: 'loras',
      name: 'sdxl/detail.safetensors',
      size: bytes.length,
      sha256,
    });
    expect(started.status).toBe(201);
    const upload = started.body.data;
    expect(upload.parts.map((p: { size: number }) => p.size)).toEqual([5 * MIB, MIB + 123]);
    const parts = await putParts(upload.parts, bytes);
    const done = await api(stack, 'POST', 'models/complete', {
      body: { folder: 'loras', name: 'sdxl/detail.safetensors', upload_id: upload.upload_id, parts },
    });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({
      folder: 'loras',
      name: 'sdxl/detail.safetensors',
      size: bytes.length,
      sha256,
    });

    for (const [key, query] of [
      [KEY_B, 'models'],
      [KEY_A, 'models?folder=loras'],
    ] as const) {
      const listed = await api(stack, 'GET', query, { key });
      expect(listed.status).toBe(200);
      expect(listed.body.data.models).toContainEqual(done.body.data);
    }
    expect((await api(stack, 'GET', 'models?folder=vae')).body.data.models).toEqual([]);

    const again = await start({ folder: 'loras', name: 'sdxl/detail.safetensors', size: 10 });
    expect(again.status).toBe(409);
    expect(
      (await start({ folder: 'loras', name: 'sdxl/detail.safetensors', size: 10, overwrite: true })).status,
    ).toBe(201);

    const path = `models/loras/${encodeURIComponent('sdxl/detail.safetensors')}`;
    expect((await api(stack, 'DELETE', path, { key: KEY_B })).status).toBe(403);
    expect((await api(stack, 'DELETE', path)).status).toBe(204);
    expect((await api(stack, 'DELETE', path)).status).toBe(404);
    expect((await api(stack, 'GET', 'models?folder=loras')).body.data.models).toEqual([]);
  });

  it('refuses to complete with wrong parts, or with parts that do not add up to the declared size', async () => {
    const bytes = modelBytes(5 * MIB + 7, 2);
    const { upload_id, parts: urls } = (
      await start({ folder: 'vae', name: 'short.safetensors', size: bytes.length })
    ).body.data;
    const parts = await putParts(urls, bytes);
    const complete = (list: unknown) =>
      api(stack, 'POST', 'models/complete', {
        body: { folder: 'vae', name: 'short.safetensors', upload_id, parts: list },
      });
    const wrong = await complete([{ ...parts[0], etag: '"0000"' }, parts[1]]);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain('InvalidPart');
    const unordered = await complete([parts[1], parts[0]]);
    expect(unordered.body.message).toContain('InvalidPartOrder');
    const short = await complete([parts[0]]);
    expect(short.status).toBe(400);
    expect(short.body.message).toContain(
      `the parts add up to ${5 * MIB} bytes, not the ${bytes.length} declared`,
    );
    expect((await api(stack, 'GET', 'models?folder=vae')).body.data.models).toEqual([]);
  });

  it('a part bigger than its URL declares is refused by S3', async () => {
    const { parts } = (await start({ folder: 'embeddings', name: 'tiny.pt', size: 10 })).body.data;
    const put = await fetch(parts[0].url, { method: 'PUT', body: Buffer.alloc(11) });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('SignatureDoesNotMatch');
  });

  it.each([
    ['an unknown folder', { folder: 'nope', name: 'x.safetensors', size: 10 }, 400, "folder 'nope'"],
    ['.. in a name', { folder: 'loras', name: '../checkpoints/x.safetensors', size: 10 }, 400, "'..'"],
    ['an absolute name', { folder: 'loras', name: '/x.safetensors', size: 10 }, 400, 'not absolute'],
    [
      'a size over the limit',
      { folder: 'checkpoints', name: 'huge.safetensors', size: 2 ** 50 },
      413,
      'over this deployment',
    ],
    ['a bad sha256', { folder: 'loras', name: 'x.safetensors', size: 10, sha256: 'xyz' }, 400, 'sha256'],
  ])('refuses %s', async (_what, body, status, why) => {
    const answer = await start(body);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toContain(why);
  });

  it('refuses uploads from keys the operator did not make model writers (403)', async () => {
    const answer = await start({ folder: 'loras', name: 'x.safetensors', size: 10 }, KEY_B);
    expect(answer.status).toBe(403);
    expect(answer.body.message).toContain('may not change the model library');
  });
});

/** A tiny txt2img whose model goes through a LoRA from the library. */
function loraPrompt(lora: string, seed: number) {
  const prompt = tinyTxt2imgPrompt(seed);
  prompt['20'] = {
    class_type: 'LoraLoader',
    inputs: { model: ['4', 0], clip: ['4', 1], lora_name: lora, strength_model: 1, strength_clip: 1 },
  };
  prompt['3'].inputs.model = ['20', 0];
  return prompt;
}

async function runWith(lora: string, seed: number) {
  const created = await api(stack, 'POST', 'executes', { body: { prompt: loraPrompt(lora, seed) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return (await pollUntilFinal(stack, created.body.data.prompt_id)).record;
}

const cached = (folder: string, name: string) => existsSync(join(stack.modelCacheDir!, folder, name));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('end to end through HTTP: the endpoint fetches library models', () => {
  it('validates a library model, downloads it once for two concurrent executes, caches it, and runs', async () => {
    const bytes = modelBytes(3 * MIB, 3);
    await uploadModel(stack, 'loras', 'styles/ink.safetensors', bytes, sha(bytes));
    const unknown = await api(stack, 'POST', 'executes', {
      body: { prompt: loraPrompt('styles/nope.safetensors', 1) },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.data.node_errors['20'].errors[0].type).toBe('value_not_in_list');

    const [a, b] = await Promise.all([
      runWith('styles/ink.safetensors', 1),
      runWith('styles/ink.safetensors', 2),
    ]);
    for (const record of [a, b]) expect(record.status, record.message).toBe('success');
    expect([a, b].filter((record) => record.timings?.model_download_ms !== undefined)).toHaveLength(1);
    expect(cached('loras', 'styles/ink.safetensors')).toBe(true);
    const later = await runWith('styles/ink.safetensors', 3);
    expect(later.status).toBe('success');
    expect(later.timings?.model_download_ms).toBeUndefined();
  });

  it('evicts the least recently used library model to stay within the cache budget', async () => {
    for (const [name, seed] of [
      ['first.safetensors', 4],
      ['second.safetensors', 5],
    ] as const) {
      await uploadModel(stack, 'loras', name, modelBytes(3 * MIB, seed));
      expect((await runWith(name, seed)).status).toBe('success');
    }
    // 3 MiB (ink, from the test before) + 3 + 3 > 8 MiB: the oldest goes.
    expect(cached('loras', 'styles/ink.safetensors')).toBe(false);
    expect(cached('loras', 'first.safetensors')).toBe(true);
    expect(cached('loras', 'second.safetensors')).toBe(true);
  });

  it('fails, with the reason, an execute whose model is bigger than the cache budget', async () => {
    await uploadModel(stack, 'loras', 'huge.safetensors', modelBytes(9 * MIB, 6));
    const record = await runWith('huge.safetensors', 6);
    expect(record.status).toBe('failed');
    expect(record.message).toBe(
      `model loras/huge.safetensors is ${9 * MIB} bytes, over the endpoint's model cache budget of ${8 * MIB} bytes`,
    );
  });

  it('fails, with the reason, an execute whose model download does not match its sha256, and keeps nothing', async () => {
    const bytes = modelBytes(1024, 7);
    await uploadModel(stack, 'loras', 'corrupt.safetensors', bytes, sha(Buffer.from('something else')));
    const record = await runWith('corrupt.safetensors', 7);
    expect(record.status).toBe('failed');
    expect(record.message).toContain("the download's SHA-256 is");
    expect(record.error.type).toBe('model_unavailable');
    expect(cached('loras', 'corrupt.safetensors')).toBe(false);
  });
});
