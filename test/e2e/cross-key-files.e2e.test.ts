import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_PATH_INPUTS } from '../../lambda/domain/inputs/path-inputs';
import type { LocalStack } from '../../local/local-stack';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

/**
 * Issue 25 (High): key B must never read key A's results through ComfyUI's own loaders. ComfyUI
 * joins a loader's value to its folders without confining it (`get_annotated_filepath`), and the
 * simulator reads the same way, so before the fix each create below ran and B's SaveImage held
 * A's pixels; now each is a 400 naming the node, the input and the reason.
 */
let stack: LocalStack;
/** A's saved image and preview, as ComfyUI's folders hold them (`subfolder/filename`). */
let saved: { path: string; absolute: string; pixels: Buffer };
let preview: string;

interface Item {
  filename: string;
  subfolder: string;
  type: string;
}

const pixelsOf = (png: Buffer) => PNG.sync.read(png).data;

async function bytesOf(item: Item & { url: string }): Promise<Buffer> {
  const response = await fetch(item.url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * Where ComfyUI keeps an item: `output/` or `temp/` beside the input folder. Once the container
 * removes an execute's files after upload (issue 25, point 2) the file is gone when A's execute
 * is final; it is put back, standing for A's execute still running while B's runs.
 */
function onDisk(item: Item, bytes: Buffer): string {
  const path = join(dirname(stack.comfyuiInputDir!), item.type, item.subfolder, item.filename);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return path;
}

beforeAll(async () => {
  stack = await startE2eStack();
  const prompt = {
    '1': { class_type: 'EmptyImage', inputs: { width: 24, height: 16, batch_size: 1, color: 0x3366cc } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'private/secret' } },
    '3': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  };
  const created = await api(stack, 'POST', 'executes', { body: { prompt }, key: KEY_A });
  expect(created.status).toBe(201);
  const { record } = await pollUntilFinal(stack, created.body.data.prompt_id, KEY_A);
  expect(record.status).toBe('success');
  const [image] = record.outputs['2'].images;
  const [temp] = record.outputs['3'].images;
  const bytes = await bytesOf(image);
  const absolute = onDisk(image, bytes);
  onDisk(temp, await bytesOf(temp));
  saved = { path: `${image.subfolder}/${image.filename}`, absolute, pixels: pixelsOf(bytes) };
  preview = `${temp.subfolder ? `${temp.subfolder}/` : ''}${temp.filename}`;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

/** B's prompt: the loader feeding a saver of what it reads (the image loaders: SaveImage). */
function attack(classType: string, input: string, value: string): Record<string, unknown> {
  const loader = { class_type: classType, inputs: { [input]: value } as Record<string, unknown> };
  if (classType === 'WebcamCapture')
    Object.assign(loader.inputs, { width: 0, height: 0, capture_on_queue: true });
  if (classType === 'LoadImageMask') loader.inputs.channel = 'alpha';
  if (classType === 'Load3D') Object.assign(loader.inputs, { image: {}, width: 8, height: 8 });
  const images = ['LoadImage', 'LoadImageOutput', 'WebcamCapture', 'Painter'].includes(classType);
  const sink = images
    ? { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'stolen' } }
    : classType === 'LoadImageMask'
      ? { class_type: 'PreviewAny', inputs: { source: ['1', 0] } }
      : ['LoadAudio', 'RecordAudio'].includes(classType)
        ? { class_type: 'SaveAudio', inputs: { audio: ['1', 0], filename_prefix: 'stolen' } }
        : { class_type: 'PreviewAny', inputs: { source: ['1', 0] } };
  return { '1': loader, '2': sink };
}

/** What B got when the create was not refused: whether its saved image is A's. */
async function leak(promptId: string): Promise<string> {
  const { record } = await pollUntilFinal(stack, promptId, KEY_B);
  const [image] = record.outputs?.['2']?.images ?? [];
  if (!image) return `ran (${record.status}) without an image`;
  return pixelsOf(await bytesOf(image)).equals(saved.pixels) ? "B received A's pixels" : 'ran, other pixels';
}

/** Every form ComfyUI resolves to A's files. */
const FORMS: [string, () => string][] = [
  ['[output] annotation', () => `${saved.path} [output]`],
  // ComfyUI cuts one character more than `[output]`: the `_` goes, A's name remains.
  ['[output] without the space', () => `${saved.path}_[output]`],
  ['[temp] annotation', () => `${preview} [temp]`],
  ['[input] annotation over ..', () => `../output/${saved.path} [input]`],
  ['../output/ path', () => `../output/${saved.path}`],
  ['absolute path', () => saved.absolute],
];

const FILE_READERS = Object.entries(CORE_PATH_INPUTS)
  .filter(([, decision]) => decision === 'execute-file')
  .map(([key]) => key.split('.') as [string, string]);

describe("no key reads another's files through ComfyUI's loaders", () => {
  const IMAGE_READS = ['LoadImageOutput', 'WebcamCapture', 'LoadImage'].flatMap((classType) =>
    FORMS.map(([form, value]) => [classType, form, value] as const),
  );

  it.each(IMAGE_READS)("%s with %s: a 400, not A's pixels", async (classType, _form, value) => {
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: attack(classType, 'image', value()) },
      key: KEY_B,
    });
    const outcome = created.status === 400 ? 'refused' : await leak(created.body.data.prompt_id);
    expect(outcome, `${classType} ${value()}`).toBe('refused');
    expect(created.body.data.error).toMatchObject({ type: 'prompt_outputs_failed_validation' });
    expect(created.body.data.node_errors['1']).toMatchObject({
      class_type: classType,
      errors: [{ type: 'file_input_refused', extra_info: { input_name: 'image' } }],
    });
  });

  it.each(FILE_READERS)('%s.%s: every path form is refused before any GPU time', async (classType, input) => {
    for (const [form, value] of FORMS) {
      const created = await api(stack, 'POST', 'executes', {
        body: { prompt: attack(classType, input, value()) },
        key: KEY_B,
      });
      expect(created.status, `${classType}.${input} ${form}`).toBe(400);
      const errors = created.body.data.node_errors['1'].errors as { type: string; extra_info: object }[];
      expect(errors, form).toContainEqual(
        expect.objectContaining({
          type: 'file_input_refused',
          extra_info: expect.objectContaining({ input_name: input }),
        }),
      );
    }
  });

  it("Preview3D's camera_info naming A's saved image: a 400 on every route, not A's file", async () => {
    const [subfolder, filename] = [dirname(saved.path), saved.path.split('/').pop()!];
    const camera = { filename, subfolder: subfolder === '.' ? '' : subfolder, type: 'output' };
    const prompt = { '1': { class_type: 'Preview3D', inputs: { model_file: 'x.glb', camera_info: camera } } };
    const created = await api(stack, 'POST', 'executes', { body: { prompt }, key: KEY_B });
    expect(created.status).toBe(400);
    expect(created.body.data.node_errors['1'].errors).toEqual([
      expect.objectContaining({
        type: 'invalid_input_type',
        extra_info: expect.objectContaining({ input_name: 'camera_info' }),
      }),
    ]);
    for (const route of ['comfyui/prompt', 'comfyui/api/prompt']) {
      const queued = await api(stack, 'POST', route, { body: { prompt }, key: KEY_B });
      expect(queued.status, route).toBe(400);
      expect(JSON.stringify(queued.body), route).toContain('camera_info');
    }
  });

  it('makes the stack fetch nothing from this machine: a loopback input URL is refused, as deployed', async () => {
    // Another service on the machine: a real ComfyUI's /view, a part of the stack, another user's server.
    const requests: string[] = [];
    const local = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end(PNG.sync.write(new PNG({ width: 2, height: 2 })));
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/view?filename=a.png`;
      for (const source of [url, url.replace('http:', 'https:')]) {
        const created = await api(stack, 'POST', 'executes', {
          body: { prompt: attack('LoadImage', 'image', 'got.png'), inputs: { 'got.png': source } },
          key: KEY_B,
        });
        expect(created.status, source).toBe(400);
        expect(JSON.stringify(created.body), source).toMatch(/got\.png/);
      }
      expect(requests).toEqual([]);
    } finally {
      local.close();
    }
  });

  it("still runs a loader on the execute's own file (an inline input)", async () => {
    const png = new PNG({ width: 2, height: 2 });
    png.data.fill(200);
    const data = `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: attack('LoadImageOutput', 'image', 'mine.png'), inputs: { 'mine.png': data } },
      key: KEY_B,
    });
    expect(created.status).toBe(201);
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id, KEY_B);
    expect(record.status).toBe('success');
  });
});
