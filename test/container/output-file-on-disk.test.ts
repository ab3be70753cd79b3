import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { outputFileOnDisk } from '../../container/src/output-file-on-disk';

const root = mkdtempSync(join(tmpdir(), 'comfy-output-'));
const output = join(root, 'output');
const temp = join(root, 'temp');
const secret = join(root, 'secret.png');
mkdirSync(join(output, 'sub'), { recursive: true });
mkdirSync(temp);
const png = Buffer.from('\x89PNG\r\n\x1a\n fake image bytes');
writeFileSync(join(output, 'sub', 'ComfyUI_00001_.png'), png);
writeFileSync(join(temp, 'preview.webp'), png);
writeFileSync(join(output, 'clip.mp4'), png);
writeFileSync(secret, 'another folder');
symlinkSync(secret, join(output, 'linked.png'));
// A folder linked from inside output/ to outside it, holding a real file.
mkdirSync(join(root, 'elsewhere'));
writeFileSync(join(root, 'elsewhere', 'inner.png'), 'outside output/');
symlinkSync(join(root, 'elsewhere'), join(output, 'linked-folder'));
execFileSync('mkfifo', [join(output, 'pipe.png')]);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const folders = { output, temp };

describe('an output image read from ComfyUI’s folder instead of /view', () => {
  it('reads a regular file of a type /view names by its extension, as /view would type it', async () => {
    const file = await outputFileOnDisk(folders, {
      filename: 'ComfyUI_00001_.png',
      subfolder: 'sub',
      type: 'output',
    });
    expect(file).toEqual({ body: png, length: png.length, contentType: 'image/png' });
    expect(
      (await outputFileOnDisk(folders, { filename: 'preview.webp', subfolder: '', type: 'temp' }))
        ?.contentType,
    ).toBe('image/webp');
  });

  it('leaves every other case to /view: other types, links, names leaving the folder, unknown folders, missing files', async () => {
    for (const file of [
      { filename: 'clip.mp4', subfolder: '', type: 'output' },
      { filename: 'linked.png', subfolder: '', type: 'output' },
      { filename: 'inner.png', subfolder: 'linked-folder', type: 'output' },
      { filename: 'pipe.png', subfolder: '', type: 'output' },
      { filename: 'secret.png', subfolder: '..', type: 'output' },
      { filename: '../secret.png', subfolder: '', type: 'output' },
      { filename: 'absent.png', subfolder: '', type: 'output' },
      { filename: 'ComfyUI_00001_.png', subfolder: 'sub', type: 'input' },
    ])
      expect(await outputFileOnDisk(folders, file), JSON.stringify(file)).toBeUndefined();
    expect(
      await outputFileOnDisk({ output: '', temp: '' }, { filename: 'ComfyUI_00001_.png', subfolder: 'sub' }),
    ).toBeUndefined();
  });

  it('streams a file too large to read whole', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 1);
    writeFileSync(join(output, 'big.png'), big);
    const file = await outputFileOnDisk(folders, { filename: 'big.png', subfolder: '', type: 'output' });
    expect(file?.length).toBe(big.length);
    expect(Buffer.isBuffer(file?.body)).toBe(false);
    const chunks: Buffer[] = [];
    for await (const chunk of file!.body as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
  });
});
