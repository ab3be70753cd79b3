import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  filesOf,
  literalFileKeys,
  pathOf,
  removeFiles,
  sweepOldFiles,
  withFreshOutputNodes,
} from '../../container/src/comfy-output-files';

describe("an execute's files in ComfyUI's folders", () => {
  const folders = { output: '/opt/ComfyUI/output', temp: '/opt/ComfyUI/temp' };

  it('reads every output and temp file item of a node, whatever its key, and no input file', () => {
    expect(
      filesOf({
        images: [
          { filename: 'a.png', subfolder: '', type: 'output' },
          { filename: 'p.png', type: 'temp' },
        ],
        gifs: [{ filename: 'v.mp4', subfolder: 'video', type: 'output', format: 'video/h264-mp4' }],
        audio: [{ filename: 'x.wav', subfolder: '', type: 'input' }],
        text: ['hello'],
        animated: [true],
      }).map((file) => file.filename),
    ).toEqual(['a.png', 'p.png', 'v.mp4']);
    expect(filesOf(undefined)).toEqual([]);
  });

  it('finds a reported file in its folder and never outside it', () => {
    expect(pathOf(folders, { filename: 'a.png', subfolder: 'sub', type: 'output' })).toBe(
      '/opt/ComfyUI/output/sub/a.png',
    );
    expect(pathOf(folders, { filename: 'p.png', type: 'temp' })).toBe('/opt/ComfyUI/temp/p.png');
    expect(pathOf(folders, { filename: '../../etc/passwd', type: 'output' })).toBeUndefined();
    expect(pathOf(folders, { filename: 'x', subfolder: '/etc', type: 'output' })).toBeUndefined();
    expect(pathOf(folders, { filename: '', subfolder: '', type: 'output' })).toBeUndefined();
    expect(pathOf(folders, { filename: 'a.png', type: 'input' })).toBeUndefined();
    // A ComfyUI elsewhere: its folders are unknown, nothing is touched.
    expect(pathOf({ output: '', temp: '' }, { filename: 'a.png', type: 'output' })).toBeUndefined();
  });

  it('removes the files it is given, and a sweep only what is older than the age, keeping the folders', async () => {
    const root = mkdtempSync(join(tmpdir(), 'output-files-'));
    try {
      const dirs = { output: join(root, 'output'), temp: join(root, 'temp') };
      mkdirSync(join(dirs.output, 'old-sub'), { recursive: true });
      mkdirSync(dirs.temp, { recursive: true });
      writeFileSync(join(dirs.output, 'mine.png'), 'x');
      writeFileSync(join(dirs.output, 'theirs.png'), 'x');
      expect(await removeFiles(dirs, [{ filename: 'mine.png', subfolder: '', type: 'output' }])).toBe(1);
      const old = new Date(Date.now() - 120_000);
      writeFileSync(join(dirs.output, 'old-sub', 'old.png'), 'x');
      writeFileSync(join(dirs.output, '_output_images_will_be_put_here'), '');
      writeFileSync(join(dirs.temp, 'old.png'), 'x');
      for (const path of [
        join(dirs.output, 'old-sub', 'old.png'),
        join(dirs.output, 'old-sub'),
        join(dirs.temp, 'old.png'),
        join(dirs.output, '_output_images_will_be_put_here'),
      ])
        utimesSync(path, old, old);
      const removed = await sweepOldFiles(dirs, 60_000);
      expect(removed.map((path) => path.slice(root.length)).sort()).toEqual([
        '/output/old-sub',
        '/output/old-sub/old.png',
        '/temp/old.png',
      ]);
      expect(await sweepOldFiles(dirs, 60_000)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("gives every sink node the execute's id, so ComfyUI's cache cannot answer with another run's files", () => {
    const prompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
      '3': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const fresh = withFreshOutputNodes(prompt, 'p-1');
    expect(fresh['1']).toBe(prompt['1']);
    expect(fresh['2'].inputs).toEqual({ images: ['1', 0], filename_prefix: 'x', comfy_exec_run: 'p-1' });
    expect(fresh['3'].inputs).toEqual({ images: ['1', 0], comfy_exec_run: 'p-1' });
    expect(prompt['2'].inputs).not.toHaveProperty('comfy_exec_run');
  });
});

describe('file references a prompt carries itself (issue 25: Preview3D echoes camera_info)', () => {
  it('are found anywhere in the inputs, wrapped in lists or objects, and links are not', () => {
    const keys = literalFileKeys({
      '1': {
        class_type: 'Preview3D',
        inputs: {
          model_file: 'x.glb',
          camera_info: { filename: 'secret_00001_.png', subfolder: 'private', type: 'output' },
        },
      },
      '2': {
        class_type: 'Custom',
        inputs: { deep: { __value__: [{ filename: 'p.png', type: 'temp' }] }, image: ['1', 0] },
      },
    });
    expect([...keys].sort()).toEqual(['output/private/secret_00001_.png', 'temp//p.png']);
  });
});
