import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fileInputsOf,
  isFileInput,
  placeInput,
  replaceFileName,
  usesFileName,
} from '../../client/src/file-inputs';
import { findNode, PromptEditError, parseSetValue, setInput } from '../../client/src/index';
import { classLackingInput, findInputByName, type NodeInfo } from '../../client/src/prompt-edits';
import type { ApiPrompt } from '../../client/src/types';
import { CORPUS_DIR, corpusApiPrompts } from '../fixtures/prompts';

const corpus = (folder: string, name: string) =>
  JSON.parse(readFileSync(join(CORPUS_DIR, folder, name), 'utf8')) as Record<string, any>;
/** A real export: LoadImage 10 with `"image": "example.png", "upload": "image"`. */
const img2img = () => corpus('api', 'SaladTechnologies__comfyui-api__sd1.5-img2img.json') as ApiPrompt;
/** Two LoadImage nodes (4 and 195), each with its upload widget. */
const vton = () => corpus('api', 'Me-in-U__ComfyUI_API__vton_api.json') as ApiPrompt;
/** A real object_info dump: the catalog entries `--set` may add inputs from. */
const OBJECT_INFO = corpus('object_info', 'Hype3808__yuzuki-phone__object_info.json') as Record<
  string,
  NodeInfo
>;

const prompt = (): ApiPrompt => ({
  '3': {
    class_type: 'KSampler',
    inputs: { seed: 1, steps: 20, model: ['4', 0] },
    _meta: { title: 'Main.sampler' },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
  '10': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
  '11': { class_type: 'LoadImage', inputs: { image: 'other.png' } },
});

describe('setInput (--set NODE.INPUT=VALUE)', () => {
  it('names the node by id, by its only class, or by its title (dots and all)', () => {
    const p = prompt();
    setInput(p, '3.seed', 42);
    setInput(p, 'KSampler.steps', 5);
    setInput(p, 'Main.sampler.seed', 7);
    expect(p['3']!.inputs).toEqual({ seed: 7, steps: 5, model: ['4', 0] });
  });

  it('refuses what names nothing, or more than one node, or a link, saying which', () => {
    const p = prompt();
    expect(() => setInput(p, '99.seed', 1)).toThrow(
      new PromptEditError("no node '99' in the prompt (node ids: 3, 4, 10, 11)"),
    );
    expect(() => setInput(p, 'LoadImage.image', 'x')).toThrow(
      /'LoadImage' matches nodes 10 \(LoadImage\), 11 \(LoadImage\); use a node id/,
    );
    expect(() => setInput(p, '3.sead', 1)).toThrow(
      "node 3 (KSampler) has no input 'sead' (it has: seed, steps, model)",
    );
    expect(() => setInput(p, '3.model', 1)).toThrow(
      '3 (KSampler).model is a link from another node, not a value',
    );
    expect(() => setInput(p, 'seed', 1)).toThrow(/'seed' is not NODE.INPUT/);
    expect(p).toEqual(prompt());
  });

  it('parses values as JSON where they are JSON, as text otherwise', () => {
    expect(parseSetValue('42')).toBe(42);
    expect(parseSetValue('1.5')).toBe(1.5);
    expect(parseSetValue('true')).toBe(true);
    expect(parseSetValue('"42"')).toBe('42');
    expect(parseSetValue('[1,2]')).toEqual([1, 2]);
    expect(parseSetValue('a cat, in space')).toBe('a cat, in space');
  });
});

describe('input placement helpers', () => {
  it('finds the one node with a literal input of a name, and refuses two', () => {
    expect(findInputByName(prompt(), 'ckpt_name')).toBe('4.ckpt_name');
    expect(findInputByName(prompt(), 'model')).toBeUndefined();
    expect(() => findInputByName(prompt(), 'image')).toThrow(
      /nodes 10 \(LoadImage\), 11 \(LoadImage\) all have an input 'image'/,
    );
    expect(findNode(prompt(), 'CheckpointLoaderSimple')).toBe('4');
  });

  it("replaces a file name in API inputs and in a UI workflow's widget values", () => {
    const p = prompt();
    expect(replaceFileName(p, 'example.png', 'in-1-cat.png')).toBe(1);
    expect(p['10']!.inputs.image).toBe('in-1-cat.png');
    const ui = { nodes: [{ type: 'LoadImage', widgets_values: ['example.png', 'image'] }], links: [] };
    expect(replaceFileName(ui, 'example.png', 'in-2-cat.png')).toBe(1);
    expect(ui.nodes[0]!.widgets_values).toEqual(['in-2-cat.png', 'image']);
    expect(replaceFileName(ui, 'absent.png', 'x')).toBe(0);
  });
});

describe('placing an input file (--input KEY=FILE, run({ inputs }))', () => {
  it('puts `image` in the LoadImage input, never in its upload widget whose value is "image"', () => {
    expect(placeInput('image', img2img())).toEqual({ target: '10.image' });
    expect(placeInput('example.png', img2img())).toEqual({ byFileName: 'example.png' });
    expect(placeInput('10.image', img2img())).toEqual({ target: '10.image' });
    expect(isFileInput(img2img()['10']!, 'image')).toBe(true);
    expect(isFileInput(img2img()['10']!, 'upload')).toBe(false);
    // "image" is a value of the prompt (the upload widget's), but no file input holds it.
    expect(usesFileName(img2img(), 'image')).toBe(false);
  });

  it('does so in every corpus API prompt whose LoadImage carries an upload widget', () => {
    const withWidget = corpusApiPrompts().filter(({ prompt }) =>
      Object.values(prompt as ApiPrompt).some(
        (node) => node?.class_type === 'LoadImage' && Object.values(node.inputs ?? {}).includes('image'),
      ),
    );
    // 29 with `"upload": "image"`, 2 with the older `"choose file to upload": "image"`.
    expect(withWidget.length).toBeGreaterThanOrEqual(31);
    for (const { name, prompt } of withWidget) {
      // LoadImage and LoadImageMask nodes: each has an `image` file input.
      const loaders = Object.keys(prompt).filter((id) =>
        (prompt as ApiPrompt)[id]!.class_type.startsWith('LoadImage'),
      );
      if (loaders.length === 1)
        expect(placeInput('image', prompt), name).toEqual({ target: `${loaders[0]}.image` });
      else expect(() => placeInput('image', prompt), name).toThrow(PromptEditError);
    }
  });

  it("finds a custom loader's file input too (VHS_LoadVideo's video), as the console's file fields do", () => {
    const flashVsr = corpus('api', 'replicate__cog-comfyui__FlashVSR_api.json') as ApiPrompt;
    expect(fileInputsOf(flashVsr).map(({ node, input }) => `${node}.${input}`)).toEqual(['31.video']);
    expect(placeInput('video', flashVsr)).toEqual({ target: '31.video' });
    expect(fileInputsOf(vton()).map(({ node, input }) => `${node}.${input}`)).toEqual([
      '4.image',
      '195.image',
    ]);
  });

  it('refuses an input name two nodes have, listing each candidate with its file', () => {
    expect(() => placeInput('image', vton())).toThrow(
      new PromptEditError(
        "the input file 'image' could be 4.image (LoadImage) = depositphotos_162960158-stock-photo-full-body-portrait-of-young.jpg, 195.image (LoadImage) = wedding_dress_13.jpg: name one as NODE.image (e.g. 4.image)",
      ),
    );
    expect(placeInput('195.image', vton())).toEqual({ target: '195.image' });
    expect(placeInput('wedding_dress_13.jpg', vton())).toEqual({ byFileName: 'wedding_dress_13.jpg' });
  });

  it('matches a file name only in file inputs, and says which file inputs there are', () => {
    const p = img2img();
    // A prompt text that happens to read like a file name is no file input.
    p['6']!.inputs.text = 'example.png';
    expect(replaceFileName(p, 'example.png', 'in-1-cat.png')).toBe(1);
    expect(p['10']!.inputs).toEqual({ image: 'in-1-cat.png', upload: 'image' });
    expect(p['6']!.inputs.text).toBe('example.png');
    expect(() => placeInput('photo.png', img2img())).toThrow(
      "the input file 'photo.png' names no NODE.INPUT, no input of any node and no file the prompt uses (its file inputs: 10.image (LoadImage) = example.png)",
    );
  });

  it('places by file name in a UI workflow, and leaves an input name to its conversion', () => {
    const ui = corpus('ui', 'replicate__cog-comfyui__mistoline_flux_ui.json');
    expect(placeInput('image', ui)).toBeUndefined();
    expect(placeInput('example.png', ui)).toEqual({ byFileName: 'example.png' });
    expect(replaceFileName(ui, 'image', 'in-1-cat.png')).toBe(0);
  });
});

describe('--set on an input the workflow lacks', () => {
  /** sd15_inpainting as an export that predates VAEEncodeForInpaint's grow_mask_by. */
  const inpainting = () => {
    const p = corpus('api', 'replicate__cog-comfyui__sd15_inpainting.json') as ApiPrompt;
    delete p['26']!.inputs.grow_mask_by;
    return p;
  };

  it("adds it when the class's catalog entry has it as a widget", () => {
    const p = inpainting();
    expect(classLackingInput(p, '26.grow_mask_by')).toBe('VAEEncodeForInpaint');
    expect(classLackingInput(p, '3.seed')).toBeUndefined();
    expect(() => setInput(p, '26.grow_mask_by', 6)).toThrow(
      "node 26 (VAEEncodeForInpaint) has no input 'grow_mask_by'",
    );
    setInput(p, '26.grow_mask_by', 6, OBJECT_INFO.VAEEncodeForInpaint);
    expect(p['26']!.inputs.grow_mask_by).toBe(6);
  });

  it("refuses a name the catalog entry lacks too, listing the entry's inputs", () => {
    expect(() => setInput(inpainting(), '26.grow_mask', 6, OBJECT_INFO.VAEEncodeForInpaint)).toThrow(
      new PromptEditError(
        "node 26 (VAEEncodeForInpaint) has no input 'grow_mask' (it has: pixels, vae, mask; its catalog entry has: pixels, vae, mask, grow_mask_by)",
      ),
    );
    expect(() => setInput(inpainting(), '26.__proto__', 6, OBJECT_INFO.VAEEncodeForInpaint)).toThrow(
      /has no input '__proto__'/,
    );
  });

  it('refuses a link input (a type no widget draws, or forceInput) as a literal', () => {
    const p = inpainting();
    delete p['26']!.inputs.mask;
    expect(() => setInput(p, '26.mask', 1, OBJECT_INFO.VAEEncodeForInpaint)).toThrow(
      '26 (VAEEncodeForInpaint).mask takes MASK from another node, not a value: connect it in the workflow',
    );
    const forced: NodeInfo = { input: { required: { grow_mask_by: ['INT', { forceInput: true }] } } };
    expect(() => setInput(inpainting(), '26.grow_mask_by', 6, forced)).toThrow(/takes INT from another node/);
    expect(p['26']!.inputs).not.toHaveProperty('mask');
  });
});
