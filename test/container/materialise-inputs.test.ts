import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputUnusableError, materialiseInputs } from '../../container/src/materialise-inputs';
import { halvesPng, monoWav } from '../fixtures/media';

const ID = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';
const s3 = mockClient(S3Client);
let inputDir: string;
beforeEach(() => {
  s3.reset();
  inputDir = mkdtempSync(join(tmpdir(), 'comfy-input-'));
});
afterEach(() => rmSync(inputDir, { recursive: true, force: true }));

/** GetObject's body as the SDK gives it in Node: a Readable. */
const body = (bytes: Buffer) => Readable.from([bytes]) as never;
const prompt = () => ({
  '1': { inputs: { image: 'cat.png [input]' } },
  '3': { inputs: { audio: 'clips/voice.wav' } },
});
const deps = () => ({
  s3: new S3Client({}),
  destination: { folder: inputDir },
  maxBytes: 1_000_000,
  url: { timeoutMs: 1000 },
});

describe("the container puts an execute's files in its own folder", () => {
  it('writes each file, points the bindings at it, and removes the folder when done', async () => {
    const png = halvesPng(4, 4);
    const wav = monoWav([1, 2, 3]);
    s3.on(GetObjectCommand, { Key: 'executes/x/inputs-1/cat.png' }).resolves({
      Body: body(png),
      ContentLength: png.length,
    });
    s3.on(GetObjectCommand, { Key: 'sets/clips/voice.wav' }).resolves({
      Body: body(wav),
      ContentLength: wav.length,
    });
    const done = await materialiseInputs(
      ID,
      prompt(),
      [
        { name: 'cat.png', source: 's3://bucket/executes/x/inputs-1/cat.png', content_type: 'image/png' },
        { name: 'clips/voice.wav', source: 's3://shared/sets/clips/voice.wav' },
      ],
      [
        { node_id: '1', input: 'image', name: 'cat.png', kind: 'image' },
        { node_id: '3', input: 'audio', name: 'clips/voice.wav', kind: 'audio' },
      ],
      deps(),
    );
    expect(done.prompt).toEqual({
      '1': { inputs: { image: `comfy-exec/${ID}/cat.png` } },
      '3': { inputs: { audio: `comfy-exec/${ID}/clips/voice.wav` } },
    });
    const folder = join(inputDir, 'comfy-exec', ID);
    expect(readFileSync(join(folder, 'cat.png')).equals(png)).toBe(true);
    expect(readFileSync(join(folder, 'clips/voice.wav')).equals(wav)).toBe(true);
    await done.cleanUp();
    expect(existsSync(folder)).toBe(false);
  });

  it('fails, naming the input, when an upload was deleted or expired before the run, and leaves no folder', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    const attempt = materialiseInputs(
      ID,
      prompt(),
      [{ name: 'cat.png', source: 's3://bucket/inputs/o/in-x-cat.png' }],
      [{ node_id: '1', input: 'image', name: 'cat.png', kind: 'image' }],
      deps(),
    );
    await expect(attempt).rejects.toThrow(InputUnusableError);
    await expect(attempt).rejects.toThrow(
      "input 'cat.png' (s3://bucket/inputs/o/in-x-cat.png) no longer exists",
    );
    expect(existsSync(join(inputDir, 'comfy-exec', ID))).toBe(false);
  });

  it.each([
    [
      'a PNG read as audio',
      halvesPng(2, 2),
      'audio',
      undefined,
      'is read as an audio but its bytes are image/png',
    ],
    [
      'unrecognisable bytes read as an image',
      Buffer.from('hello'),
      'image',
      undefined,
      'not a recognisable image file',
    ],
    [
      'WAV bytes declared image/png',
      monoWav([1]),
      'audio',
      'image/png',
      'was declared image/png but its bytes are audio/wav',
    ],
  ] as const)('refuses %s', async (_what, bytes, kind, declared, message) => {
    s3.on(GetObjectCommand).resolves({ Body: body(bytes), ContentLength: bytes.length });
    await expect(
      materialiseInputs(
        ID,
        prompt(),
        [{ name: 'f.bin', source: 's3://bucket/k', ...(declared ? { content_type: declared } : {}) }],
        [{ node_id: '1', input: 'image', name: 'f.bin', kind }],
        deps(),
      ),
    ).rejects.toThrow(message);
  });

  it('refuses a file name that would leave the folder, and an object over the size limit', async () => {
    await expect(
      materialiseInputs(ID, prompt(), [{ name: '../../x.png', source: 's3://b/k' }], [], deps()),
    ).rejects.toThrow('leaves the execute');
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.alloc(10)), ContentLength: 2_000_000 });
    await expect(
      materialiseInputs(ID, prompt(), [{ name: 'big.png', source: 's3://b/k' }], [], deps()),
    ).rejects.toThrow('over the limit of 1000000');
  });
});
