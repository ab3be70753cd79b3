/**
 * The execute overhead's stages in front of the real ComfyUI (../shared/tools/real-comfyui), for
 * docs/reliability.md: the same measurement as `bench/overhead.ts`, on a weight-free prompt
 * (EmptyImage → SaveImage, a new colour each execute, so ComfyUI's cache never answers for it).
 *
 *   COMFYUI_URL=http://127.0.0.1:18188 COMFYUI_DIR=/tmp/comfyui npx tsx bench/overhead-real-comfyui.ts [executes] [images]
 */
import { join } from 'node:path';
import { benchOverhead } from './overhead';

const url = process.env.COMFYUI_URL;
const dir = process.env.COMFYUI_DIR;
if (!url || !dir) throw new Error('set COMFYUI_URL and COMFYUI_DIR (the real ComfyUI and its folder)');

const emptyImages = (seed: number, images: number) => ({
  '1': {
    class_type: 'EmptyImage',
    inputs: { width: 512, height: 512, batch_size: images, color: (seed * 7919 + 1) % 0xffffff },
  },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'bench' } },
});

const result = await benchOverhead(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 1), {
  stack: {
    comfyuiUrl: url,
    comfyuiInputDir: join(dir, 'input'),
    comfyuiOutputDir: join(dir, 'output'),
    comfyuiTempDir: join(dir, 'temp'),
  },
  prompt: emptyImages,
});
console.log(JSON.stringify(result, null, 2));
process.exit(0);
