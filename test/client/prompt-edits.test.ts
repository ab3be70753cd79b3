import { describe, expect, it } from 'vitest';
import { findNode, PromptEditError, parseSetValue, setInput } from '../../client/src/index';
import { findInputByName, replaceFileName } from '../../client/src/prompt-edits';
import type { ApiPrompt } from '../../client/src/types';

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
