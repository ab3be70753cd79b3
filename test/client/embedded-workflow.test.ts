import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mp4TextMetadata } from '../../client/src/embedded/mp4-metadata';
import { PromptSourceError, readEmbeddedWorkflow, resolvePromptSource } from '../../client/src/index';
import { halvesPng } from '../fixtures/media';

const DIR = join(import.meta.dirname, '../fixtures/embedded-workflow');
const recorded = JSON.parse(readFileSync(join(DIR, 'recorded.json'), 'utf8')) as Record<
  string,
  { prompt: object; workflow: object }
>;
const file = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));

// Files a real ComfyUI saved (scripts/record-embedded-workflows.ts), read back as its editor does.
describe('readEmbeddedWorkflow', () => {
  for (const name of ['inverted.png', 'animated.webp', 'clip.mp4'])
    it(`reads the prompt and the workflow ComfyUI embedded in ${name}`, async () => {
      expect(await readEmbeddedWorkflow(file(name))).toEqual(recorded[name]);
    });

  it('finds nothing in a PNG ComfyUI did not save, and says so when asked to run it', async () => {
    expect(await readEmbeddedWorkflow(new Uint8Array(halvesPng(4, 4)))).toEqual({});
    await expect(resolvePromptSource(new Uint8Array(halvesPng(4, 4)))).rejects.toThrow(
      new PromptSourceError('this PNG carries no ComfyUI prompt or workflow'),
    );
  });

  it('reads no metadata from a cut-off or box-less MP4, without throwing', () => {
    const mp4 = file('clip.mp4');
    for (const length of [8, 40, 800, 1500, 2000, mp4.length - 1])
      expect(() => mp4TextMetadata(mp4.subarray(0, length))).not.toThrow();
    expect(mp4TextMetadata(mp4.subarray(0, 1500))).toEqual({});
    expect(Object.keys(mp4TextMetadata(mp4))).toEqual(['workflow', 'prompt', 'encoder']);
  });
});

describe('resolvePromptSource', () => {
  const api = { '1': { class_type: 'EmptyImage', inputs: { width: 8 } } };
  const ui = { nodes: [], links: [], version: 0.4 };

  it('takes an API prompt, a UI workflow and a saved /prompt body, as objects, text or bytes', async () => {
    expect(await resolvePromptSource(api)).toEqual({ prompt: api, kind: 'api', from: 'json' });
    expect(await resolvePromptSource(JSON.stringify(ui))).toEqual({ prompt: ui, kind: 'ui', from: 'json' });
    expect(await resolvePromptSource({ prompt: api, client_id: 'x' })).toMatchObject({
      prompt: api,
      kind: 'api',
    });
    expect(await resolvePromptSource(new TextEncoder().encode(JSON.stringify(api)))).toMatchObject({
      kind: 'api',
    });
    expect(await resolvePromptSource(new Blob([file('inverted.png')]))).toMatchObject({
      kind: 'api',
      from: 'png',
    });
  });

  it('prefers the embedded prompt (what ran) to the workflow, and takes the workflow alone', async () => {
    expect((await resolvePromptSource(file('clip.mp4'))).prompt).toEqual(recorded['clip.mp4']!.prompt);
  });

  it('refuses what is neither, naming why', async () => {
    await expect(resolvePromptSource('{not json')).rejects.toThrow(/not valid JSON/);
    await expect(resolvePromptSource('[1]')).rejects.toThrow('the workflow is not a JSON object');
    await expect(resolvePromptSource({ a: 1 })).rejects.toThrow(
      /neither an API-format prompt .* nor a UI workflow/,
    );
    await expect(resolvePromptSource({})).rejects.toThrow(/neither/);
  });
});
