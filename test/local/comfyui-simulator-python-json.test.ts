import { describe, expect, it } from 'vitest';
import { loadObjectInfo } from '../../local/comfyui-simulator/catalog';
import { floatRepr, pyDumps, pyLoads } from '../../local/comfyui-simulator/python-json';
import { savedMetadata } from '../../local/comfyui-simulator/saved-metadata';

/** The texts ComfyUI embeds are Python's `json.dumps` of what `json.loads` read: checked by its rules. */
describe("ComfyUI simulator: JSON as ComfyUI's Python reads and writes it", () => {
  it('prints floats as repr does', () => {
    const cases: [number, string][] = [
      [2, '2.0'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [-2.5, '-2.5'],
      [0.1 + 0.2, '0.30000000000000004'],
      [1.2345678901234567e20, '1.2345678901234567e+20'],
      [Number.NaN, 'NaN'],
      [-0, '-0.0'],
    ];
    expect(cases.map(([value]) => floatRepr(value))).toEqual(cases.map(([, text]) => text));
  });

  it('keeps key order, ints apart from floats, big ints exact; escapes as ensure_ascii does', () => {
    const text = '{"b": 1, "a": [1.0, "é😀\\n\\u0001"], "10": null, "9": true, "seed": 18446744073709551615}';
    expect(pyDumps(pyLoads(text))).toBe(
      '{"b": 1, "a": [1.0, "\\u00e9\\ud83d\\ude00\\n\\u0001"], "10": null, "9": true, "seed": 18446744073709551615}',
    );
    // A repeated key keeps its first place and takes the last value, as a dict does.
    expect(pyDumps(pyLoads('{"a":1,"b":2,"a":3}'))).toBe('{"a": 3, "b": 2}');
  });

  it('embeds the prompt as validation left it: int(), float(), str(), bool() of widget values', () => {
    // As text: a JS object would put the numeric ids in order, and Python keeps them as posted.
    const body = `{"prompt": {
      "7": {"class_type": "EmptyLatentImage", "inputs": {"width": 64.9, "height": "64", "batch_size": true}},
      "3": {"class_type": "ImageBlur", "inputs": {"image": ["8", 0], "blur_radius": 2, "sigma": 1}},
      "8": {"class_type": "EmptyImage", "inputs": {"width": 8.9, "height": "8", "batch_size": 1, "color": true}},
      "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": 5}},
      "11": {"class_type": "PrimitiveBoolean", "inputs": {"value": 0}}},
      "extra_data": {"extra_pnginfo": {"workflow": {"id": "w"}, "note": "x"}}}`;
    const [first, ...extra] = savedMetadata(body, loadObjectInfo(), ['9'], () => undefined);
    const [key, prompt] = first!;
    expect(key).toBe('prompt');
    // Node 7 and 11 feed no output: ComfyUI never validates, so never converts, them.
    expect(prompt).toBe(
      '{"7": {"class_type": "EmptyLatentImage", "inputs": {"width": 64.9, "height": "64", "batch_size": true}}, ' +
        '"3": {"class_type": "ImageBlur", "inputs": {"image": ["8", 0], "blur_radius": 2, "sigma": 1.0}}, ' +
        '"8": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 1}}, ' +
        '"9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "5"}}, ' +
        '"11": {"class_type": "PrimitiveBoolean", "inputs": {"value": 0}}}',
    );
    expect(extra).toEqual([
      ['workflow', '{"id": "w"}'],
      ['note', '"x"'],
    ]);
  });
});
