import { describe, expect, it } from 'vitest';
import { templateFixHints } from '../../client/cli/fix-hints';
import { parameterValues, parseParameterValue, typeText } from '../../client/cli/template-params';
import { exampleCommand, parameterTable } from '../../client/cli/template-view';
import type { InputSchema, NodeErrors } from '../../client/src/index';

/** Shaped as GetSchema answers for the corpus's unCLIP workflow (pair 013), maximum exact as parsed. */
const SCHEMA: InputSchema = {
  type: 'object',
  properties: {
    prompt: { type: 'string', 'x-multiline': true, default: 'beautiful photograph', 'x-places': ['6.text'] },
    image: { type: 'string', 'x-file': 'image', default: 'mountains.png', 'x-places': ['34.image'] },
    seed: {
      type: 'integer',
      minimum: 0,
      maximum: 18446744073709551615n,
      default: 509273045161628,
      'x-places': ['3.seed'],
    },
    cfg: { type: 'number', minimum: 0, maximum: 100, default: 8, 'x-places': ['3.cfg'] },
    sampler: {
      enum: ['euler', 'euler_cfg_pp', 'euler_ancestral', 'heun', 'dpmpp_2m'],
      default: 'euler',
      'x-places': ['3.sampler_name'],
    },
    upscale: { enum: [1, 1.5, 2], default: 1, 'x-places': ['12.scale_by'] },
    tiled: { type: 'boolean', default: false, 'x-places': ['8.tiled'] },
    checkpoint: {
      type: 'string',
      examples: ['v1-5-pruned-emaonly.safetensors', 'sd_xl_base_1.0.safetensors'],
      'x-model-folder': 'checkpoints',
      'x-places': ['32.ckpt_name'],
    },
    style: { type: 'string', 'x-places': ['40.text'] },
  },
  required: ['checkpoint', 'style'],
};

const REQUIRED: [string, string][] = [
  ['checkpoint', 'v1-5-pruned-emaonly.safetensors'],
  ['style', 'ink'],
];

describe('--param values, typed by the template JSON Schema', () => {
  it('parses each type as its parameter takes it', () => {
    const { values, problems } = parameterValues(SCHEMA, [
      ...REQUIRED,
      ['prompt', 'a red fox, 8k'],
      ['seed', '7'],
      ['cfg', '6.5'],
      ['sampler', 'heun'],
      ['upscale', '1.5'],
      ['tiled', 'TRUE'],
      ['image', 'cat.png'],
    ]);
    expect(problems).toEqual([]);
    expect(values).toEqual({
      checkpoint: 'v1-5-pruned-emaonly.safetensors',
      style: 'ink',
      prompt: 'a red fox, 8k',
      seed: 7,
      cfg: 6.5,
      sampler: 'heun',
      upscale: 1.5,
      tiled: true,
      image: 'cat.png',
    });
  });

  it('keeps a 64-bit seed exact: a BigInt past the safe integers, never a rounded double', () => {
    expect(parseParameterValue(SCHEMA.properties.seed!, '18446744073709551615')).toEqual({
      value: 18446744073709551615n,
    });
    expect(parseParameterValue(SCHEMA.properties.seed!, '9007199254740993')).toEqual({
      value: 9007199254740993n,
    });
    expect(parseParameterValue(SCHEMA.properties.seed!, '9007199254740991')).toEqual({
      value: 9007199254740991,
    });
    const { problems } = parameterValues(SCHEMA, [...REQUIRED, ['seed', '18446744073709551616']]);
    expect(problems).toEqual([
      "parameter 'seed': 18446744073709551616 is above the maximum 18446744073709551615",
    ]);
  });

  it('names every problem at once: wrong type, out of range, not a choice, unknown, twice, missing', () => {
    const { problems } = parameterValues(SCHEMA, [
      ['seed', '7.5'],
      ['cfg', '101'],
      ['sampler', 'fastest'],
      ['tiled', 'yes'],
      ['colour', 'red'],
      ['cfg', '3'],
      ['style', 'ink'],
    ]);
    expect(problems).toEqual([
      "parameter 'seed': expected an integer (digits only), not '7.5' (integer 0..18446744073709551615)",
      "parameter 'tiled': expected true or false, not 'yes' (true or false)",
      "parameter 'cfg' is given twice",
      "parameter 'cfg': 101 is above the maximum 100",
      "parameter 'sampler': fastest is not one of the choices: euler, euler_cfg_pp, euler_ancestral, heun, dpmpp_2m",
      "unknown parameter 'colour'; this template takes 'prompt', 'image', 'seed', 'cfg', 'sampler', 'upscale', 'tiled', 'checkpoint', 'style'",
      "parameter 'checkpoint' is required",
    ]);
  });

  it('reads types as people do: ranges, the first choices, files and models', () => {
    expect(typeText(SCHEMA.properties.seed!)).toBe('integer 0..18446744073709551615');
    expect(typeText(SCHEMA.properties.sampler!)).toBe('one of 5: euler, euler_cfg_pp, …');
    expect(typeText(SCHEMA.properties.image!)).toBe('image file');
    expect(typeText(SCHEMA.properties.checkpoint!)).toBe('checkpoints model (2 on the endpoint)');
    expect(typeText(SCHEMA.properties.prompt!)).toBe('text (multi-line)');
    expect(parameterTable(SCHEMA)).toContainEqual(
      expect.stringMatching(/^checkpoint +checkpoints model \(2 on the endpoint\) +\(required\)$/),
    );
  });

  it('offers a command line to copy: the required parameters first, values quoted for the shell', () => {
    expect(exampleCommand('unclip', SCHEMA)).toBe(
      "comfy-exec run --template unclip --param checkpoint=v1-5-pruned-emaonly.safetensors --param style=TEXT --param prompt='beautiful photograph' --param image=mountains.png",
    );
  });

  it('tells a refused run how to fix it with --param, or that no parameter reaches the input', () => {
    const nodeErrors = {
      '34': {
        class_type: 'LoadImage',
        dependent_outputs: ['9'],
        errors: [
          {
            type: 'custom_validation_failed',
            message: 'Custom validation failed for node: image - Invalid image file: nope.png',
            details: '',
            extra_info: { input_name: 'image' },
          },
        ],
      },
      '30': {
        class_type: 'VAELoader',
        dependent_outputs: ['9'],
        errors: [
          {
            type: 'value_not_in_list',
            message: 'Value not in list',
            details: "vae_name: 'kl-f8-anime2.ckpt' not in ['ae.safetensors']",
            extra_info: { input_name: 'vae_name', input_config: [['ae.safetensors']] },
          },
        ],
      },
    } as unknown as NodeErrors;
    expect(templateFixHints(nodeErrors, 'unclip', { image: ['34.image'] })).toEqual([
      'to fix it, run it again with:',
      '  --param image=FILE  (a file of yours, uploaded and named there)',
      'no parameter of unclip reaches 30.vae_name: save the workflow again with one there (comfy-exec templates save unclip FILE --update --inputs PARAMETERS.json)',
    ]);
  });
});
