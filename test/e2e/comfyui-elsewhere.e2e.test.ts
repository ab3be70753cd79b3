import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { halvesPng, inversionProblem, invertPrompt, monoWav } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, pollUntilFinal, startE2eStack, uploadModel } from './local-api';

/*
 * `COMFYUI_URL=… npm start` in front of a ComfyUI on another machine: the container is told none
 * of its folders (the simulator stands for it), so inputs travel through ComfyUI's POST
 * /upload/image and outputs through its /view.
 */
let stack: LocalStack;
let dataDir: string;
let files: Server;
let filesUrl: string;
beforeAll(async () => {
  // The simulator's folders live in the data folder: the test looks where ComfyUI keeps files.
  dataDir = mkdtempSync(join(tmpdir(), 'comfy-elsewhere-'));
  stack = await startE2eStack({ comfyuiElsewhere: true, dataDir, loopbackInputUrls: true });
  files = createServer((req, res) => {
    if (req.url !== '/cat.png') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(halvesPng(40, 30));
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  files?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const comfyFolder = (...parts: string[]) => join(dataDir, 'comfyui', ...parts);

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function run(body: Record<string, unknown>) {
  const created = await api(stack, 'POST', 'executes', { body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return (await pollUntilFinal(stack, created.body.data.prompt_id)).record;
}

/** What stays of an execute's inputs in that ComfyUI's input folder: each name, with its size. */
function leftInputs(promptId: string): Record<string, number> {
  const folder = comfyFolder('input', 'comfy-exec', promptId);
  return Object.fromEntries(readdirSync(folder).map((name) => [name, statSync(join(folder, name)).size]));
}

describe('a ComfyUI whose folders the container cannot see (COMFYUI_URL alone)', () => {
  it('an uploaded input (POST /inputs) read by LoadImage: sent through /upload/image, inverted, then emptied', async () => {
    const image = halvesPng(24, 16);
    const created = await api(stack, 'POST', 'inputs', {
      body: { filename: 'cat.png', content_type: 'image/png', size: image.length },
    });
    expect(created.status).toBe(201);
    const { upload, name } = created.body.data;
    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: image });
    expect(put.status).toBe(200);

    const record = await run({ prompt: invertPrompt(name) });
    expect(record.status, record.message).toBe('success');
    expect(inversionProblem(await download(record.output_files[0]), image)).toBeUndefined();
    // ComfyUI's API cannot delete a file: the name stays, its bytes are gone (README says so).
    expect(leftInputs(record.prompt_id)).toEqual({ [name]: 0 });
  });

  it('inline and URL inputs, and an audio file (the upload route takes any kind)', async () => {
    const small = halvesPng(8, 4);
    const voice = monoWav([0, 1000, -1000, 5]);
    const record = await run({
      prompt: {
        ...invertPrompt('in.png'),
        '4': { class_type: 'LoadImage', inputs: { image: 'cat.png' } },
        '5': { class_type: 'ImageInvert', inputs: { image: ['4', 0] } },
        '6': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'url' } },
        '7': { class_type: 'LoadAudio', inputs: { audio: 'voice.wav' } },
        '8': { class_type: 'SaveAudio', inputs: { audio: ['7', 0], filename_prefix: 'audio/voice' } },
      },
      inputs: {
        'in.png': small.toString('base64'),
        'cat.png': `${filesUrl}/cat.png`,
        'voice.wav': `data:audio/wav;base64,${voice.toString('base64')}`,
      },
    });
    expect(record.status, record.message).toBe('success');
    const [inline] = record.outputs['3'].images;
    const [fromUrl] = record.outputs['6'].images;
    expect(inversionProblem(await download(inline.url), small)).toBeUndefined();
    expect(inversionProblem(await download(fromUrl.url), halvesPng(40, 30))).toBeUndefined();
    // LoadAudio read the file (a missing one fails the run); SaveAudio's encoding is not this test's.
    expect(record.outputs['8'].audio[0]).toMatchObject({ subfolder: 'audio', type: 'output' });
    expect((await download(record.outputs['8'].audio[0].url)).length).toBeGreaterThan(44);
    expect(leftInputs(record.prompt_id)).toEqual({ 'in.png': 0, 'cat.png': 0, 'voice.wav': 0 });
    // Outputs stay in that ComfyUI's output folder too (its API cannot delete them): README says so.
    expect(readFileSync(comfyFolder('output', fromUrl.subfolder, fromUrl.filename)).length).toBeGreaterThan(
      0,
    );
  });

  it('fails an execute that needs a library model, saying what to set', async () => {
    await uploadModel(stack, 'loras', 'ink.safetensors', Buffer.alloc(1024, 7));
    const prompt = tinyTxt2imgPrompt(3);
    prompt['20'] = {
      class_type: 'LoraLoader',
      inputs: {
        model: ['4', 0],
        clip: ['4', 1],
        lora_name: 'ink.safetensors',
        strength_model: 1,
        strength_clip: 1,
      },
    };
    prompt['3'].inputs.model = ['20', 0];
    const record = await run({ prompt });
    expect(record.status).toBe('failed');
    expect(record.error.type).toBe('model_unavailable');
    expect(record.message).toContain('cannot bring loras/ink.safetensors: set MODEL_CACHE_DIR');
    expect(record.message).toContain('extra_model_paths.yaml');
  });
});
