import type { InputSchema } from '@comfy-exec/client';
import { describe, expect, it } from 'vitest';
import {
  apiMessage,
  choiceValue,
  environmentOf,
  fieldKind,
  fieldProblem,
  templateFields,
  typedNumber,
} from '../../console/src/template-fields';

const SEED_MAX = 18446744073709551615n;

describe("the console's template form fields", () => {
  it('picks the control each parameter schema calls for', () => {
    const schema: InputSchema = {
      type: 'object',
      properties: {
        prompt: { type: 'string', 'x-multiline': true },
        prefix: { type: 'string' },
        image: { type: 'string', 'x-file': 'image' },
        sampler: { enum: ['euler', 'uni_pc'] },
        model: { type: 'string', 'x-model-folder': 'checkpoints', examples: ['a.safetensors'] },
        seed: { type: 'integer', minimum: 0, maximum: SEED_MAX },
        steps: { type: 'integer', minimum: 1, maximum: 10000 },
        cfg: { type: 'number', minimum: 0, maximum: 100, 'x-step': 0.1 },
        tiled: { type: 'boolean' },
      },
      required: ['prefix'],
    };
    expect(templateFields(schema).map(({ name, kind, required }) => [name, kind, required])).toEqual([
      ['prompt', 'multiline', false],
      ['prefix', 'text', true],
      ['image', 'file', false],
      ['sampler', 'choice', false],
      ['model', 'model', false],
      ['seed', 'seed', false],
      ['steps', 'integer', false],
      ['cfg', 'number', false],
      ['tiled', 'boolean', false],
    ]);
    // A bound past 2^53 that JSON gave as a (rounded) number is a 64-bit integer too.
    expect(fieldKind({ type: 'integer', maximum: 2 ** 64 })).toBe('seed');
  });

  it('reads typed numbers exactly, and keeps what is not a number as typed for the check to name', () => {
    expect(typedNumber('20', true)).toBe(20);
    expect(typedNumber('18446744073709551615', true)).toBe(SEED_MAX);
    expect(typedNumber('7.5', false)).toBe(7.5);
    expect(typedNumber('7.5', true)).toBe(7.5);
    expect(typedNumber('', true)).toBe('');
    expect(
      fieldProblem({ name: 'steps', kind: 'integer', required: false, schema: { type: 'integer' } }, 7.5),
    ).toBe('must be an integer, not 7.5');
    expect(
      fieldProblem(
        { name: 'steps', kind: 'integer', required: false, schema: { type: 'integer', minimum: 1 } },
        0,
      ),
    ).toBe('0 is below the minimum 1');
    // A picked file is not checked until it is uploaded and named.
    expect(
      fieldProblem(
        { name: 'image', kind: 'file', required: false, schema: { type: 'string', 'x-file': 'image' } },
        {},
      ),
    ).toBeUndefined();
  });

  it("gives a choice back as the list's own value, numbers included", () => {
    expect(choiceValue({ enum: [1, 2, 'auto'] }, '2')).toBe(2);
    expect(choiceValue({ enum: [1, 2, 'auto'] }, 'auto')).toBe('auto');
  });

  it("saves for the picked endpoint's environment, ESD's comfy-async-{name}", () => {
    expect(environmentOf('comfy-async-local')).toBe('local');
    expect(environmentOf('my-endpoint')).toBe('');
  });

  it("says the API's own message, without the library's operation and status", () => {
    const body = { statusCode: 409, message: 'sdxl already exists' };
    expect(apiMessage({ message: 'CreateSchema: HTTP 409 sdxl already exists', body })).toBe(
      'sdxl already exists',
    );
    expect(apiMessage({ message: 'HTTP 502', body: undefined })).toBe('HTTP 502');
  });
});
