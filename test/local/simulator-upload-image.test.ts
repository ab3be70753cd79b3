import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';

let sim: ComfyUiSimulator;
beforeAll(async () => {
  sim = await startComfyUiSimulator({ stepMs: 2 });
});
afterAll(() => sim.stop());

/** POST /upload/image with an `image` file part and the other fields, as a browser or the container sends it. */
async function upload(
  file: { bytes: string; name: string } | string | undefined,
  fields: Record<string, string>,
) {
  const form = new FormData();
  if (typeof file === 'string') form.append('image', file);
  else if (file) form.append('image', new Blob([file.bytes]), file.name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(`${sim.url}/upload/image`, { method: 'POST', body: form });
  const text = await response.text();
  return { status: response.status, body: response.ok ? JSON.parse(text) : text };
}
const input = (...parts: string[]) => join(sim.files.dir('input'), ...parts);

// Each answer below is what ComfyUI 0.3.64 (a125cd84) answered to the same request (docs/reliability.md, 2026-12-06).
describe('the simulator answers POST /upload/image as ComfyUI does', () => {
  it('stores any kind of file in the subfolder, and answers its name, the subfolder as sent and the type', async () => {
    const first = await upload(
      { bytes: 'hello', name: 'up-a.txt' },
      {
        subfolder: 'comfy-exec/t1',
        type: 'input',
        overwrite: 'true',
      },
    );
    expect(first).toEqual({
      status: 200,
      body: { name: 'up-a.txt', subfolder: 'comfy-exec/t1', type: 'input' },
    });
    expect(readFileSync(input('comfy-exec/t1/up-a.txt'), 'utf8')).toBe('hello');
    // The subfolder comes back as sent, not normalised; type defaults to input, subfolder to ''.
    expect(
      (await upload({ bytes: 'x', name: 'y.txt' }, { subfolder: 'comfy-exec/t1/./clips/' })).body,
    ).toEqual({ name: 'y.txt', subfolder: 'comfy-exec/t1/./clips/', type: 'input' });
    expect((await upload({ bytes: 'x', name: 'zz.txt' }, {})).body).toEqual({
      name: 'zz.txt',
      subfolder: '',
      type: 'input',
    });
  });

  it('without overwrite: keeps an identical file, numbers a different one; with overwrite (true or 1) replaces it', async () => {
    const fields = { subfolder: 'comfy-exec/t2', type: 'input' };
    await upload({ bytes: 'hello', name: 'a.txt' }, fields);
    expect((await upload({ bytes: 'hello', name: 'a.txt' }, fields)).body.name).toBe('a.txt');
    expect((await upload({ bytes: 'other', name: 'a.txt' }, fields)).body.name).toBe('a (1).txt');
    expect(
      (await upload({ bytes: 'third', name: 'a.txt' }, { ...fields, overwrite: 'false' })).body.name,
    ).toBe('a (2).txt');
    expect(
      (await upload({ bytes: 'other', name: 'a.txt' }, { ...fields, overwrite: 'true' })).body.name,
    ).toBe('a.txt');
    expect(readFileSync(input('comfy-exec/t2/a.txt'), 'utf8')).toBe('other');
    // An empty file over it: how the container takes an input's bytes away (no route deletes one).
    expect((await upload({ bytes: '', name: 'a.txt' }, { ...fields, overwrite: '1' })).status).toBe(200);
    expect(readFileSync(input('comfy-exec/t2/a.txt'))).toHaveLength(0);
  });

  it('writes a name with / only below a folder that exists, and drops leading slashes', async () => {
    const fields = { subfolder: 'comfy-exec/t3', overwrite: 'true' };
    expect((await upload({ bytes: 'x', name: 'clips/x.txt' }, fields)).status).toBe(500);
    await upload({ bytes: 'x', name: 'y.txt' }, { ...fields, subfolder: 'comfy-exec/t3/clips' });
    expect((await upload({ bytes: 'x', name: 'clips/x.txt' }, fields)).body.name).toBe('clips/x.txt');
    expect((await upload({ bytes: 'x', name: '/lead.txt' }, fields)).body.name).toBe('lead.txt');
    expect(existsSync(input('comfy-exec/t3/lead.txt'))).toBe(true);
  });

  it.each([
    ['a subfolder that leaves the folder', { bytes: 'x', name: 'x.txt' }, { subfolder: '../../etc' }, 400],
    ['an absolute subfolder', { bytes: 'x', name: 'q.txt' }, { subfolder: '/tmp' }, 400],
    ['no image part', undefined, { subfolder: 'x' }, 400],
    ['an image field that is not a file', 'notafile', {}, 500],
    ['a file part without a name', { bytes: 'x', name: '' }, {}, 500],
    ['an unknown type', { bytes: 'x', name: 'y.txt' }, { type: 'foo' }, 500],
  ] as const)('refuses %s with %s', async (_what, file, fields, status) => {
    expect((await upload(file, fields)).status).toBe(status);
  });

  it('refuses a body over --max-upload-size (100 MB) with 413', async () => {
    const big = await upload({ bytes: 'x'.repeat(100 * 1024 * 1024 + 1), name: 'big.bin' }, {});
    expect(big).toEqual({ status: 413, body: 'Maximum request body size 104857600 exceeded.' });
  });
});
