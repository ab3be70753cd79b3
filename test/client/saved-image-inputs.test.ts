import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePromptSource } from '../../client/src/prompt-source';
import { asSavedPng } from '../../local/comfyui-simulator/saved-png';
import { halvesPng } from '../fixtures/media';
import { CORPUS_DIR } from '../fixtures/prompts';

const ID = '24852474-5b0e-4c1f-9d7a-3f1e2a6b8c90';

/** A real img2img export as the endpoint ran it: its input in the execute's private folder. */
function ranPrompt() {
  const prompt = JSON.parse(
    readFileSync(join(CORPUS_DIR, 'api/SaladTechnologies__comfyui-api__sd1.5-img2img.json'), 'utf8'),
  );
  prompt['10'].inputs.image = `comfy-exec/${ID}/in-zd2nv5sab69a5804f-cat.png`;
  prompt['6'].inputs.text = `comfy-exec/${ID}/not-a-file-name-but-text/with/slashes`;
  return prompt;
}

describe('an image this deployment saved, run again', () => {
  it('names its inputs by the caller’s own names, not the finished execute’s private folder', async () => {
    const png = asSavedPng(halvesPng(6, 4), [['prompt', JSON.stringify(ranPrompt())]]);
    const { prompt, kind, from } = await resolvePromptSource(new Uint8Array(png));
    expect([kind, from]).toEqual(['api', 'png']);
    const nodes = prompt as Record<string, { inputs: Record<string, unknown> }>;
    expect(nodes['10']!.inputs).toEqual({ image: 'in-zd2nv5sab69a5804f-cat.png', upload: 'image' });
    // Only a file name directly in such a folder: other text is left as it is.
    expect(nodes['6']!.inputs.text).toBe(`comfy-exec/${ID}/not-a-file-name-but-text/with/slashes`);
  });

  it('leaves a prompt given as JSON exactly as written', async () => {
    const { prompt } = await resolvePromptSource(JSON.stringify(ranPrompt()));
    expect((prompt as any)['10'].inputs.image).toBe(`comfy-exec/${ID}/in-zd2nv5sab69a5804f-cat.png`);
  });
});
