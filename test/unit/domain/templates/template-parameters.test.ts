import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { exactJsonText, parseExactJson } from '../../../../lambda/domain/exact-json';
import type { PromptGraph } from '../../../../lambda/domain/prompt-graph';
import { applyParameters } from '../../../../lambda/domain/templates/apply-parameters';
import { derivedParameters } from '../../../../lambda/domain/templates/derived-parameters';
import { inputJsonSchema } from '../../../../lambda/domain/templates/input-schema';
import { valueProblem } from '../../../../lambda/domain/templates/parameter-values';
import { templateGraph, templateParameters } from '../../../../lambda/domain/templates/template-graph';
import { typedParameters } from '../../../../lambda/domain/templates/typed-parameters';
import { corpusCatalog } from '../../../fixtures/corpus-pairs';
import { CORPUS_DIR } from '../../../fixtures/prompts';

const catalog = corpusCatalog();
const pairWorkflow = (pair: string) =>
  JSON.parse(readFileSync(join(CORPUS_DIR, 'pairs', pair, 'workflow.json'), 'utf8')) as Record<
    string,
    unknown
  >;
/** A real API export: LoadImage 10 (with the frontend's `upload` beside `image`), checkpoint 14. */
const img2img = () =>
  parseExactJson(
    readFileSync(join(CORPUS_DIR, 'api', 'SaladTechnologies__comfyui-api__sd1.5-img2img.json'), 'utf8'),
  ) as PromptGraph;

describe('derived parameters (a template that declares none)', () => {
  it("are the inputs people change, texts first, named by role, on a UI workflow's conversion", () => {
    const graph = templateGraph(pairWorkflow('007'), catalog, 5000);
    const derived = derivedParameters(graph, catalog);
    expect(Object.keys(derived)).toEqual([
      'prompt',
      'negative_prompt',
      'image',
      'control_net_name',
      'vae_name',
      'ckpt_name',
      'seed',
      'steps',
      'cfg',
      'denoise',
      'width',
      'height',
      'batch_size',
    ]);
    expect(derived.prompt!.places).toEqual(['6.text']);
    expect(derived.negative_prompt!.places).toEqual(['7.text']);
    expect(derived.image).toEqual({ places: ['11.image'], description: 'Load Image (node 11): image' });
  });

  it('make one prompt of a text saved identically at a base and a refiner, but never tie two samplers', () => {
    const graph = templateGraph(pairWorkflow('001'), catalog, 5000);
    const derived = derivedParameters(graph, catalog);
    expect(derived.prompt!.places).toEqual(['6.text', '15.text']);
    expect(derived.negative_prompt!.places).toEqual(['7.text', '16.text']);
    // KSamplerAdvanced 10 (base) and 11 (refiner): one seed and one steps each.
    expect(derived.seed_10!.places).toEqual(['10.noise_seed']);
    expect(derived.seed_11!.places).toEqual(['11.noise_seed']);
    expect(derived.steps_10!.places).toEqual(['10.steps']);
    expect(derived).not.toHaveProperty('seed');
  });

  it('leave out linked inputs and the frontend-only `upload` widget of an API export', () => {
    const derived = derivedParameters(img2img(), catalog);
    expect(Object.keys(derived)).toEqual([
      'prompt',
      'negative_prompt',
      'image',
      'ckpt_name',
      'seed',
      'steps',
      'cfg',
      'denoise',
    ]);
  });
});

describe('typed parameters', () => {
  const declared = {
    prompt: { places: ['6.text'], description: 'what to draw' },
    seed: { places: ['3.seed'] },
    cfg: { places: ['3.cfg'] },
    sampler: { places: ['3.sampler_name'] },
    checkpoint: { places: ['14.ckpt_name'], default: 'v1-5-pruned-emaonly.safetensors' },
    image: { places: ['10.image'] },
  };

  it('take types, ranges, choices and defaults from the catalog, exact for 64-bit seeds', () => {
    const typed = typedParameters(declared, img2img(), catalog);
    const byName = Object.fromEntries(typed.map((p) => [p.name, p]));
    expect(byName.seed!.type).toMatchObject({ type: 'integer', minimum: 0 });
    expect(byName.cfg!.type).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    expect(byName.sampler!.type.type).toBe('choice');
    expect((byName.sampler!.type as { choices: unknown[] }).choices).toContain('dpmpp_2m');
    expect(byName.checkpoint!.type).toMatchObject({ type: 'choice', modelFolder: 'checkpoints' });
    expect(byName.image!.type).toMatchObject({ type: 'file', kind: 'image' });
    // The export's example.png is a default only where the endpoint's input folder lists it.
    const listed = (byName.image!.type as { listed?: unknown[] }).listed ?? [];
    expect(byName.image!.default).toBe(listed.includes('example.png') ? 'example.png' : undefined);
    expect(byName.prompt!.default).toBe(
      'photograph of victorian woman with wings, sky clouds, meadow grass\n',
    );
    const schema = inputJsonSchema(typed);
    // The JSON text says the seed's bound as ComfyUI does: 0xffffffffffffffff, not 2^64.
    expect(exactJsonText(schema)).toContain('"maximum":18446744073709551615');
    expect(schema.additionalProperties).toBe(false);
    expect((schema.properties as Record<string, Record<string, unknown>>).sampler!.enum).toContain('euler');
    expect((schema.properties as Record<string, Record<string, unknown>>).image!['x-file']).toBe('image');
  });

  it.each([
    [{ p: { places: ['99.text'] } }, "parameter 'p': place '99.text': the prompt has no node '99'"],
    [
      { p: { places: ['6.txt'] } },
      "parameter 'p': place '6.txt': CLIPTextEncode (node 6) has no input 'txt'",
    ],
    [
      { p: { places: ['3.model'] } },
      "parameter 'p': place '3.model': the input is linked to node 14's output",
    ],
    [
      { p: { places: ['3.steps', '3.cfg'] } },
      "parameter 'p': place '3.cfg' takes a number and an earlier place an integer",
    ],
    [{ p: { places: ['3.seed', '6.text'] } }, "parameter 'p': place '6.text' takes a string"],
    [{ p: { places: ['nodot'] } }, "parameter 'p': place 'nodot' is not node_id.input"],
    [
      { p: { places: ['3.seed'] }, q: { places: ['3.seed'] } },
      "parameter 'q': place '3.seed' is already parameter 'p's",
    ],
    [{ p: { places: ['3.steps'], default: 0 } }, "parameter 'p': default 0 is below the minimum 1"],
    [
      { p: { places: ['3.sampler_name'], default: 'nope' } },
      `parameter 'p': default "nope" is not one of the choices`,
    ],
    [{ '1p': { places: ['3.steps'] } }, "parameter '1p': names are letters"],
  ])('refuse %o at save time, naming the parameter', (declarations, message) => {
    expect(() => typedParameters(declarations as never, img2img(), catalog)).toThrow(message);
  });
});

describe("a run's values put in place", () => {
  const parameters = () =>
    templateParameters(
      {
        prompt: { places: ['6.text'] },
        seed: { places: ['3.seed'] },
        steps: { places: ['3.steps'], default: 4 },
        denoise: { places: ['3.denoise'] },
        sampler: { places: ['3.sampler_name'] },
        image: { places: ['10.image'] },
      },
      img2img(),
      catalog,
    );

  it('sets given values, declared defaults, and leaves the rest as saved; records what the caller gave', () => {
    const applied = applyParameters(img2img(), parameters(), {
      prompt: 'a red fox',
      seed: 18446744073709551615n,
      image: 'data:image/jpeg;base64,/9j/4AAQ',
    });
    expect(applied.prompt['6']!.inputs.text).toBe('a red fox');
    expect(applied.prompt['3']!.inputs.seed).toBe(18446744073709551615n);
    expect(applied.prompt['3']!.inputs.steps).toBe(4);
    expect(applied.prompt['3']!.inputs.denoise).toBe(0.8700000000000001);
    expect(applied.prompt['10']!.inputs).toEqual({ image: 'image.jpg', upload: 'image' });
    expect(applied.files).toEqual({ 'image.jpg': 'data:image/jpeg;base64,/9j/4AAQ' });
    // DynamoDB would round the seed: the record keeps its digits.
    expect(applied.inputs).toEqual({ prompt: 'a red fox', seed: '18446744073709551615', image: 'image.jpg' });
  });

  it('requires a file whose saved name the endpoint does not have, saying why', () => {
    const unlisted = { ...catalog, LoadImage: structuredClone(catalog.LoadImage!) };
    (unlisted.LoadImage!.input!.required!.image as unknown[])[0] = ['other.png'];
    const typed = templateParameters({ image: { places: ['10.image'] } }, img2img(), unlisted);
    expect(typed[0]!.default).toBeUndefined();
    expect(inputJsonSchema(typed).required).toEqual(['image']);
    expect(() => applyParameters(img2img(), typed, {})).toThrow(
      "parameter 'image' is required: the template has no default for it that this endpoint can use",
    );
    const listed = { ...catalog, LoadImage: structuredClone(catalog.LoadImage!) };
    (listed.LoadImage!.input!.required!.image as unknown[])[0] = ['example.png'];
    expect(templateParameters({ image: { places: ['10.image'] } }, img2img(), listed)[0]!.default).toBe(
      'example.png',
    );
  });

  it('names a URL input by its path and an uploaded name as it is', () => {
    const byUrl = applyParameters(img2img(), parameters(), {
      image: 'https://example.com/a/b/cat.webp?sig=1',
    });
    expect(byUrl.files).toEqual({ 'image.webp': 'https://example.com/a/b/cat.webp?sig=1' });
    const uploaded = applyParameters(img2img(), parameters(), { image: 'in-0123-cat.png' });
    expect(uploaded.files).toEqual({});
    expect(uploaded.prompt['10']!.inputs.image).toBe('in-0123-cat.png');
  });

  it.each([
    [{ nope: 1 }, "unknown parameter 'nope'; this template takes 'prompt', 'seed', 'steps'"],
    [{ seed: '7' }, "parameter 'seed': must be an integer, not a string"],
    [{ seed: 1.5 }, "parameter 'seed': must be an integer, not 1.5"],
    [
      { seed: 18446744073709551616n },
      "parameter 'seed': 18446744073709551616 is above the maximum 18446744073709551615",
    ],
    [{ steps: 0 }, "parameter 'steps': 0 is below the minimum 1"],
    [{ denoise: 1.5 }, "parameter 'denoise': 1.5 is above the maximum 1"],
    [{ sampler: 'fastest' }, `parameter 'sampler': "fastest" is not one of the choices: "euler"`],
    [{ prompt: 3 }, "parameter 'prompt': must be a string, not 3"],
    [
      { image: '' },
      "parameter 'image': must name a file: an uploaded input's name, a data: URL or an https:// URL, not an empty string",
    ],
    [{ image: null }, "parameter 'image': must be a file"],
  ])('refuses %o naming the parameter', (values, message) => {
    expect(() => applyParameters(img2img(), parameters(), values as never)).toThrow(message);
  });

  it('agrees with any JSON Schema validator on what the schema allows', () => {
    const typed = parameters();
    const validate = new Ajv2020({ strict: false }).compile(
      // Ajv reads numbers as doubles: the schema through plain JSON, as a client without BigInt sees it.
      JSON.parse(exactJsonText(inputJsonSchema(typed).properties as object)).steps,
    );
    const steps = typed.find((p) => p.name === 'steps')!;
    for (const value of [0, 1, 4, 10000, 10001, 2.5, '3', true, null])
      expect(validate(value), String(value)).toBe(valueProblem(steps.type, value) === undefined);
  });
});
