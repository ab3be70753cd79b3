import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';

let sim: ComfyUiSimulator;
beforeAll(async () => {
  sim = await startComfyUiSimulator({ stepMs: 2 });
});
afterAll(() => sim.stop());

/** 4×2: the left half transparent (0,0,100, alpha 0), the right half opaque (10,20,30). */
function halvesWithAlpha(): Buffer {
  const png = new PNG({ width: 4, height: 2 });
  for (let pixel = 0; pixel < 8; pixel++)
    png.data.set(pixel % 4 < 2 ? [0, 0, 100, 0] : [10, 20, 30, 255], pixel * 4);
  return PNG.sync.write(png);
}

async function json(path: string, init?: RequestInit) {
  return (await (await fetch(`${sim.url}${path}`, init)).json()) as any;
}

describe("the simulator's LoadImage, as ComfyUI's convert('RGB')", () => {
  it('keeps a transparent pixel’s colour (drops alpha, never blends onto black), as the real server did', async () => {
    const form = new FormData();
    form.append('image', new Blob([halvesWithAlpha()], { type: 'image/png' }), 'alpha-halves.png');
    const uploaded = await json('/upload/image', { method: 'POST', body: form });
    const prompt = {
      '1': { class_type: 'LoadImage', inputs: { image: uploaded.name } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'alpha-check' } },
    };
    const queued = await json('/prompt', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt }),
    });
    const finished = async (): Promise<any> => {
      for (;;) {
        const entry = (await json(`/history/${queued.prompt_id}`))[queued.prompt_id];
        if (entry?.status?.completed) return entry;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const entry = await finished();
    const image = entry.outputs['3'].images[0];
    const saved = PNG.sync.read(
      Buffer.from(
        await (
          await fetch(`${sim.url}/view?filename=${image.filename}&subfolder=${image.subfolder}&type=output`)
        ).arrayBuffer(),
      ),
    );
    // ComfyUI 0.3.64 (a125cd84), the same file and prompt, 2026-12-06: left 255,255,155; right 245,235,225.
    expect([...saved.data.subarray(0, 4)]).toEqual([255, 255, 155, 255]);
    expect([...saved.data.subarray(8, 12)]).toEqual([245, 235, 225, 255]);
  });
});
