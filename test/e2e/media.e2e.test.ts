import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import {
  halvesPng as halves,
  inversionProblem,
  invertPrompt as invert,
  monoWav as wav,
} from '../fixtures/media';
import { decodeVerbatimFlac, readFlac } from '../support/media-containers';
import { api, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

let stack: LocalStack;
/** A local web server for URL inputs: /cat.png, and redirects to addresses that are never fetched. */
let files: Server;
let filesUrl: string;
beforeAll(async () => {
  stack = await startE2eStack({ loopbackInputUrls: true });
  files = createServer((req, res) => {
    if (req.url === '/cat.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(halves(40, 30));
    }
    const redirect = /^\/to\/(.+)$/.exec(req.url ?? '');
    if (redirect) {
      res.writeHead(302, { location: decodeURIComponent(redirect[1]!) });
      return res.end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  files?.close();
  await stack?.stop();
});

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** POST /inputs, then the PUT to the presigned URL, as a client does; returns the input's name. */
async function upload(bytes: Buffer, filename: string, contentType: string, key?: string) {
  const created = await api(stack, 'POST', 'inputs', {
    body: { filename, content_type: contentType, size: bytes.length },
    key,
  });
  expect(created.status).toBe(201);
  const { upload: target, name } = created.body.data;
  const put = await fetch(target.url, { method: target.method, headers: target.headers, body: bytes });
  expect(put.status).toBe(200);
  return name as string;
}

const checkpoint = {
  class_type: 'CheckpointLoaderSimple',
  inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' },
};
const encode = (text: string) => ({ class_type: 'CLIPTextEncode', inputs: { text, clip: ['4', 1] } });

/** img2img: the loaded image encoded, sampled at `denoise`, decoded and saved. */
function img2img(image: string, denoise: number) {
  return {
    '1': { class_type: 'LoadImage', inputs: { image } },
    '4': checkpoint,
    '6': encode('a watercolour'),
    '7': encode('blurry'),
    '10': { class_type: 'VAEEncode', inputs: { pixels: ['1', 0], vae: ['4', 2] } },
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: 5,
        steps: 2,
        cfg: 7,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['10', 0],
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'img2img' } },
  };
}

function expectInverted(output: Buffer, input: Buffer) {
  expect(inversionProblem(output, input)).toBeUndefined();
}

async function run(body: Record<string, unknown>, key?: string) {
  const created = await api(stack, 'POST', 'executes', { body, key });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return (await pollUntilFinal(stack, created.body.data.prompt_id, key)).record;
}

/** What a refused request must not leave behind: records and uploaded inputs, counted per key. */
async function footprint() {
  const executes = await api(stack, 'GET', 'executes?limit=100');
  const inputs = await api(stack, 'GET', 'inputs?limit=100');
  return `${executes.body.data.executes.length}/${inputs.body.data.inputs.length}`;
}

describe('end to end through HTTP: every output out', () => {
  it("reports PreviewAny's text, and file items with signed URLs, in `outputs`", async () => {
    const prompt = {
      '1': { class_type: 'PrimitiveString', inputs: { value: 'hello' } },
      '2': {
        class_type: 'StringConcatenate',
        inputs: { string_a: ['1', 0], string_b: 'world', delimiter: ', ' },
      },
      '3': { class_type: 'PreviewAny', inputs: { source: ['2', 0] } },
      '4': { class_type: 'PrimitiveFloat', inputs: { value: 2 } },
      '5': { class_type: 'PreviewAny', inputs: { source: ['4', 0] } },
      '6': { class_type: 'PrimitiveBoolean', inputs: { value: true } },
      '7': { class_type: 'PreviewAny', inputs: { source: ['6', 0] } },
      '8': { class_type: 'EmptyImage', inputs: { width: 32, height: 16, batch_size: 1, color: 0 } },
      '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'media/e2e' } },
    };
    const created = await api(stack, 'POST', 'executes', { body: { prompt } });
    expect(created.status).toBe(201);
    expect(created.body.data.outputs).toBeNull();
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    // As the real ComfyUI answers the same prompt (docs/reliability.md): str() of each value.
    expect(record.outputs['3']).toEqual({ text: ['hello, world'] });
    expect(record.outputs['5']).toEqual({ text: ['2.0'] });
    expect(record.outputs['7']).toEqual({ text: ['True'] });
    const [image] = record.outputs['9'].images;
    expect(image).toMatchObject({ filename: 'e2e_00001_.png', subfolder: 'media', type: 'output' });
    const download = await fetch(image.url);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    const listed = await api(stack, 'GET', 'executes?limit=5');
    const row = listed.body.data.executes.find(
      (e: { prompt_id: string }) => e.prompt_id === record.prompt_id,
    );
    expect(row.outputs['3']).toEqual({ text: ['hello, world'] });
  });
});

describe('end to end through HTTP: files in', () => {
  it('img2img with an uploaded PNG: the output has its size, and its pixels follow from it', async () => {
    const image = halves(64, 48);
    const name = await upload(image, 'cat.png', 'image/png');
    expect(name).toMatch(/^in-[0-9a-z]{17}-cat\.png$/);
    const record = await run({ prompt: img2img(name, 0.5) });
    expect(record.status, record.message).toBe('success');
    const out = PNG.sync.read(await download(record.output_files[0]));
    expect([out.width, out.height]).toEqual([64, 48]);
    // Half the input is kept at denoise 0.5: white stays at least half white, black at most half.
    for (let y = 0; y < 48; y++)
      for (let x = 0; x < 64; x++) {
        const red = out.data[(y * 64 + x) * 4]!;
        if (x < 32) expect(red).toBeGreaterThanOrEqual(127);
        else expect(red).toBeLessThanOrEqual(128);
      }
    // The same uploaded input serves any later execute of the key.
    const again = await run({ prompt: invert(name) });
    expectInverted(await download(again.output_files[0]), image);
  });

  it("inpainting with an image and a mask: pixels outside the mask are the input's, inside are generated", async () => {
    const image = halves(32, 32);
    const imageName = await upload(image, 'room.png', 'image/png');
    const mask = halves(32, 32, { red: true }); // red = 1 on the right half: that half is repainted
    const prompt = {
      ...img2img(imageName, 1),
      '11': { class_type: 'LoadImageMask', inputs: { image: 'mask.png', channel: 'red' } },
      '10': {
        class_type: 'VAEEncodeForInpaint',
        inputs: { pixels: ['1', 0], vae: ['4', 2], mask: ['11', 0], grow_mask_by: 6 },
      },
    };
    const record = await run({
      prompt,
      inputs: { 'mask.png': `data:image/png;base64,${mask.toString('base64')}` },
    });
    expect(record.status, record.message).toBe('success');
    const out = PNG.sync.read(await download(record.output_files[0]));
    const source = PNG.sync.read(image);
    let repainted = 0;
    for (let i = 0; i < source.data.length; i += 4) {
      const x = (i / 4) % 32;
      if (x < 16) for (let c = 0; c < 3; c++) expect(out.data[i + c]).toBe(source.data[i + c]);
      else if (out.data[i] !== source.data[i]) repainted++;
    }
    expect(repainted).toBeGreaterThan(16 * 32 * 0.9);
  });

  it('an inline base64 input, and the same file name in two concurrent executes never mixed up', async () => {
    const white = halves(16, 8);
    const small = halves(8, 4);
    const [a, b] = await Promise.all([
      run({ prompt: invert('in.png'), inputs: { 'in.png': white.toString('base64') } }),
      run({ prompt: invert('in.png [input]'), inputs: { 'in.png': small.toString('base64') } }),
    ]);
    expectInverted(await download(a.output_files[0]), white);
    expectInverted(await download(b.output_files[0]), small);
    // Each execute's folder is gone once its run is over.
    for (const record of [a, b])
      expect(existsSync(join(stack.comfyuiInputDir!, 'comfy-exec', record.prompt_id))).toBe(false);
  });

  it('a URL input served by a local web server (loopback URLs are allowed in the local stack only)', async () => {
    const record = await run({ prompt: invert('cat.png'), inputs: { 'cat.png': `${filesUrl}/cat.png` } });
    expect(record.status, record.message).toBe('success');
    expectInverted(await download(record.output_files[0]), halves(40, 30));
  });

  it.each([
    ['10.0.0.1', 'http://10.0.0.1/cat.png'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
  ])(
    'fails, with the reason, an execute whose URL redirects to %s (never fetched)',
    async (_what, target) => {
      const record = await run({
        prompt: invert('cat.png'),
        inputs: { 'cat.png': `${filesUrl}/to/${encodeURIComponent(target)}` },
      });
      expect(record.status).toBe('failed');
      expect(record.message).toContain('which is not a public address');
      expect(record.error.type).toBe('input_refused');
    },
  );

  it('an audio input: LoadAudio → SaveAudio keeps its samples', async () => {
    const voice = wav([0, 1000, -1000, 32767, -32768, 5, 6, 7]);
    const record = await run({
      prompt: {
        '1': { class_type: 'LoadAudio', inputs: { audio: 'voice.wav' } },
        '2': { class_type: 'SaveAudio', inputs: { audio: ['1', 0], filename_prefix: 'audio/voice' } },
      },
      inputs: { 'voice.wav': `data:audio/wav;base64,${voice.toString('base64')}` },
    });
    expect(record.status, record.message).toBe('success');
    const [item] = record.outputs['2'].audio;
    expect(item).toMatchObject({
      subfolder: 'audio',
      type: 'output',
      filename: expect.stringMatching(/\.flac$/),
    });
    // SaveAudio writes FLAC, as ComfyUI does: lossless, so the WAV's samples come back.
    const flac = await download(item.url);
    expect(readFlac(flac).streamInfo).toMatchObject({
      sampleRate: 8000,
      channels: 1,
      bitsPerSample: 16,
      totalSamples: 8,
    });
    expect([...decodeVerbatimFlac(flac)[0]!]).toEqual([0, 1000, -1000, 32767, -32768, 5, 6, 7]);
  });

  it('fails an execute whose bytes are not what was declared, naming both', async () => {
    const notPng = wav([1, 2, 3, 4]);
    const name = await upload(notPng, 'fake.png', 'image/png');
    const record = await run({ prompt: invert(name) });
    expect(record.status).toBe('failed');
    expect(record.message).toBe(`input '${name}' was declared image/png but its bytes are audio/wav`);
  });

  it('lists, pages and deletes uploaded inputs, newest first, per key', async () => {
    const first = await upload(halves(4, 4), 'one.png', 'image/png', KEY_B);
    const second = await upload(halves(4, 4), 'two.png', 'image/png', KEY_B);
    const page = await api(stack, 'GET', 'inputs?limit=1', { key: KEY_B });
    expect(page.body.data.inputs.map((i: { name: string }) => i.name)).toEqual([second]);
    expect(page.body.data.inputs[0]).toMatchObject({
      filename: 'two.png',
      content_type: 'image/png',
      size: expect.any(Number),
    });
    const next = await api(
      stack,
      'GET',
      `inputs?limit=1&exclusive_start_key=${page.body.data.last_evaluated_key}`,
      {
        key: KEY_B,
      },
    );
    expect(next.body.data.inputs.map((i: { name: string }) => i.name)).toEqual([first]);
    expect((await api(stack, 'DELETE', `inputs/${first}`)).status).toBe(404); // key A has no such input
    expect((await api(stack, 'DELETE', `inputs/${first}`, { key: KEY_B })).status).toBe(204);
    expect((await api(stack, 'DELETE', `inputs/${first}`, { key: KEY_B })).status).toBe(404);
    const after = await api(stack, 'GET', 'inputs', { key: KEY_B });
    expect(after.body.data.inputs.map((i: { name: string }) => i.name)).toEqual([second]);
  });
});

describe('end to end through HTTP: bad input is a clear 4xx and leaves nothing behind', () => {
  it.each([
    ['a file name with /', { filename: 'a/b.png', content_type: 'image/png', size: 10 }, 400, 'not a path'],
    ['a file name with ..', { filename: '..png', content_type: 'image/png', size: 10 }, 400, "'..'"],
    ['a file name with NUL', { filename: 'a\u0000.png', content_type: 'image/png', size: 10 }, 400, 'NUL'],
    [
      'a file name over 200 bytes',
      { filename: `${'é'.repeat(101)}.png`, content_type: 'image/png', size: 10 },
      400,
      '200 bytes',
    ],
    [
      'a size over the limit',
      { filename: 'big.mp4', content_type: 'video/mp4', size: 200 * 1024 ** 2 },
      413,
      'over this deployment',
    ],
    [
      'a content type ComfyUI does not load',
      { filename: 'a.html', content_type: 'text/html', size: 10 },
      400,
      "'text/html'",
    ],
  ])('POST /inputs with %s', async (_what, body, status, why) => {
    const before = await footprint();
    const answer = await api(stack, 'POST', 'inputs', { body });
    expect(answer.status).toBe(status);
    expect(answer.body.message).toContain(why);
    expect(await footprint()).toBe(before);
  });

  it('an upload bigger than declared is refused by S3 and never becomes an input', async () => {
    const before = await footprint();
    const created = await api(stack, 'POST', 'inputs', {
      body: { filename: 'x.png', content_type: 'image/png', size: 4 },
    });
    const { url, headers } = created.body.data.upload;
    const put = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': headers['Content-Type'] },
      body: 'more than four bytes',
    });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('SignatureDoesNotMatch');
    expect(await footprint()).toBe(before);
  });

  it.each([
    ['an unknown input name', { prompt: invert('in-00000000000000000-nope.png') }, 'Invalid image file'],
    [
      'a data URL that is not base64',
      { prompt: invert('a.png'), inputs: { 'a.png': 'data:image/png,abc' } },
      'base64',
    ],
    [
      'a URL to 10.0.0.1',
      { prompt: invert('a.png'), inputs: { 'a.png': 'https://10.0.0.1/a.png' } },
      'not a public address',
    ],
    [
      'a URL to the metadata service',
      { prompt: invert('a.png'), inputs: { 'a.png': 'https://169.254.169.254/latest/meta-data/' } },
      'not a public address',
    ],
    ['an inline file name with /', { prompt: invert('a.png'), inputs: { 'x/a.png': 'AAAA' } }, 'not a path'],
    ['an inline file name with ..', { prompt: invert('a.png'), inputs: { '..a.png': 'AAAA' } }, "'..'"],
  ])('POST /executes with %s', async (_what, body, why) => {
    const before = await footprint();
    const answer = await api(stack, 'POST', 'executes', { body });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(why);
    expect(await footprint()).toBe(before);
  });

  it("POST /executes naming another key's input: refused as unknown, never revealed", async () => {
    const theirs = await upload(halves(4, 4), 'private.png', 'image/png', KEY_B);
    const before = await footprint();
    const answer = await api(stack, 'POST', 'executes', { body: { prompt: invert(theirs) } });
    expect(answer.status).toBe(400);
    expect(answer.body.data.node_errors['1'].errors[0]).toMatchObject({
      type: 'custom_validation_failed',
      details: `image - Invalid image file: ${theirs}`,
    });
    expect(await footprint()).toBe(before);
    expect(readdirSync(join(stack.comfyuiInputDir!)).includes(theirs)).toBe(false);
  });
});
