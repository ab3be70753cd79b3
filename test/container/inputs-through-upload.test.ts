import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InputUpload, UploadAnswer } from '../../container/src/comfy-client';
import type { InputUploader } from '../../container/src/comfy-upload-placement';
import { InputUnusableError, materialiseInputs } from '../../container/src/materialise-inputs';
import { halvesPng, monoWav } from '../fixtures/media';

const ID = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';
const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

interface Sent {
  name: string;
  subfolder: string;
  /** The bytes as ComfyUI received them; empty for an emptying upload. */
  bytes: Buffer;
  /** The staging file, which must exist while it is sent. */
  path?: string;
}

/** ComfyUI's POST /upload/image, answering with `answer` (by default: the name and subfolder sent). */
function fakeComfy(answer?: (file: InputUpload, call: number) => { status: number; body: UploadAnswer }) {
  const sent: Sent[] = [];
  const comfy: InputUploader = {
    baseUrl: 'http://gpu-box:8188',
    uploadInput: async (file) => {
      sent.push({
        name: file.name,
        subfolder: file.subfolder,
        bytes: file.path ? readFileSync(file.path) : Buffer.alloc(0),
        ...(file.path ? { path: file.path } : {}),
      });
      return (
        answer?.(file, sent.length) ?? {
          status: 200,
          body: { name: file.name, subfolder: file.subfolder, type: 'input' },
        }
      );
    },
  };
  return { comfy, sent };
}

const body = (bytes: Buffer) => Readable.from([bytes]) as never;
const deps = (comfy: InputUploader) => ({
  s3: new S3Client({}),
  destination: { upload: comfy, timeoutMs: 5000 },
  maxBytes: 1_000_000,
  url: { timeoutMs: 1000 },
});
const catPrompt = () => ({
  '1': { inputs: { image: 'cat.png [input]' } },
  '3': { inputs: { audio: 'clips/voice.wav' } },
});
const catFiles = [
  { name: 'cat.png', source: 's3://bucket/inputs/o/cat.png', content_type: 'image/png' },
  { name: 'clips/voice.wav', source: 's3://bucket/sets/clips/voice.wav' },
];
const catBindings = [
  { node_id: '1', input: 'image', name: 'cat.png', kind: 'image' as const },
  { node_id: '3', input: 'audio', name: 'clips/voice.wav', kind: 'audio' as const },
];

function serve(png: Buffer, wav: Buffer) {
  s3.on(GetObjectCommand, { Key: 'inputs/o/cat.png' }).resolves({
    Body: body(png),
    ContentLength: png.length,
  });
  s3.on(GetObjectCommand, { Key: 'sets/clips/voice.wav' }).resolves({
    Body: body(wav),
    ContentLength: wav.length,
  });
}

describe("without ComfyUI's input folder, files go through its POST /upload/image", () => {
  it('sends each file into comfy-exec/{prompt_id}/, names it as ComfyUI answered, then empties it', async () => {
    const png = halvesPng(4, 4);
    const wav = monoWav([1, 2, 3]);
    serve(png, wav);
    // ComfyUI answers a name of its own for the second file (as its parser may): the prompt follows it.
    const { comfy, sent } = fakeComfy((file, call) => ({
      status: 200,
      body: { name: call === 2 ? 'voice (1).wav' : file.name, subfolder: file.subfolder, type: 'input' },
    }));
    const done = await materialiseInputs(ID, catPrompt(), catFiles, catBindings, deps(comfy));
    expect(sent.map(({ name, subfolder }) => ({ name, subfolder }))).toEqual([
      { name: 'cat.png', subfolder: `comfy-exec/${ID}` },
      { name: 'voice.wav', subfolder: `comfy-exec/${ID}/clips` },
    ]);
    expect(sent[0]!.bytes.equals(png)).toBe(true);
    expect(sent[1]!.bytes.equals(wav)).toBe(true);
    expect(done.prompt).toEqual({
      '1': { inputs: { image: `comfy-exec/${ID}/cat.png` } },
      '3': { inputs: { audio: `comfy-exec/${ID}/clips/voice (1).wav` } },
    });
    // Nothing is kept on the container's disk once ComfyUI has the bytes.
    for (const file of sent) expect(existsSync(file.path!)).toBe(false);

    await done.cleanUp();
    expect(sent.slice(2)).toEqual([
      { name: 'cat.png', subfolder: `comfy-exec/${ID}`, bytes: Buffer.alloc(0) },
      { name: 'voice (1).wav', subfolder: `comfy-exec/${ID}/clips`, bytes: Buffer.alloc(0) },
    ]);
  });

  it('refuses an input over the upload size ComfyUI accepts, saying which setting to change', async () => {
    serve(halvesPng(4, 4), monoWav([1]));
    const { comfy } = fakeComfy(() => ({
      status: 413,
      body: { error: { type: 'invalid_response', message: 'Maximum request body size 104857600 exceeded.' } },
    }));
    const attempt = materialiseInputs(ID, catPrompt(), catFiles, catBindings, deps(comfy));
    await expect(attempt).rejects.toThrow(InputUnusableError);
    await expect(attempt).rejects.toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('--max-upload-size'),
    });
    await expect(attempt).rejects.toThrow('COMFYUI_INPUT_DIR');
  });

  it('fails as unavailable when ComfyUI does not take the file, and empties what it took', async () => {
    serve(halvesPng(4, 4), monoWav([1]));
    const { comfy, sent } = fakeComfy((file, call) =>
      call === 2
        ? { status: 500, body: { error: { message: 'Server got itself in trouble' } } }
        : { status: 200, body: { name: file.name, subfolder: file.subfolder } },
    );
    const attempt = materialiseInputs(ID, catPrompt(), catFiles, catBindings, deps(comfy));
    await expect(attempt).rejects.toMatchObject({
      kind: 'unavailable',
      message:
        "ComfyUI at http://gpu-box:8188 did not take input 'clips/voice.wav': POST /upload/image answered 500: Server got itself in trouble",
    });
    expect(sent.at(-1)).toEqual({ name: 'cat.png', subfolder: `comfy-exec/${ID}`, bytes: Buffer.alloc(0) });
  });

  it('refuses two inputs that ComfyUI would store under one name', async () => {
    const png = halvesPng(2, 2);
    s3.on(GetObjectCommand).resolves({ Body: body(png), ContentLength: png.length });
    // aiohttp keeps `%22` for a quote in a part's file name: `a"b.png` lands on `a%22b.png`.
    const { comfy } = fakeComfy((file) => ({
      status: 200,
      body: { name: file.name.replace('"', '%22'), subfolder: file.subfolder },
    }));
    const files = ['a"b.png', 'a%22b.png'].map((name) => ({ name, source: 's3://bucket/k' }));
    await expect(materialiseInputs(ID, {}, files, [], deps(comfy))).rejects.toThrow(
      `input 'a%22b.png' and another input of this execute both became 'comfy-exec/${ID}/a%22b.png'`,
    );
  });

  it('checks the bytes before sending them: a refused file never reaches ComfyUI', async () => {
    const wav = monoWav([1]);
    s3.on(GetObjectCommand).resolves({ Body: body(wav), ContentLength: wav.length });
    const { comfy, sent } = fakeComfy();
    await expect(
      materialiseInputs(
        ID,
        catPrompt(),
        [{ name: 'cat.png', source: 's3://bucket/k' }],
        [catBindings[0]!],
        deps(comfy),
      ),
    ).rejects.toThrow('is read as an image but its bytes are audio/wav');
    expect(sent).toEqual([]);
  });
});
