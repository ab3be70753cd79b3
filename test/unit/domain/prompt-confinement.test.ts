import { describe, expect, it } from 'vitest';
import { coreCatalog } from '../../../lambda/catalog/core-catalog';
import { CORE_PATH_INPUTS } from '../../../lambda/domain/inputs/path-inputs';
import { confinementErrors } from '../../../lambda/domain/inputs/prompt-confinement';
import type { PromptGraph } from '../../../lambda/domain/prompt-graph';

const catalog = coreCatalog();
/** Every input of the core catalog ComfyUI opens with get_annotated_filepath. */
const FILE_READERS = Object.entries(CORE_PATH_INPUTS)
  .filter(([, decision]) => decision === 'execute-file')
  .map(([key]) => key.split('.') as [string, string]);

/** Each form ComfyUI resolves outside the execute's files (folder_paths.get_annotated_filepath). */
const ESCAPES: [string, unknown][] = [
  ['[output] annotation', 'ComfyUI_00001_.png [output]'],
  ['[output] without the space', 'ComfyUI_00001_.png[output]'],
  ['[temp] annotation', 'ComfyUI_temp_abcde_00001_.png [temp]'],
  ['[input] annotation of another execute', 'cat.png [output] [input]'],
  ['a .. segment', '../output/ComfyUI_00001_.png'],
  ['a .. segment under a brought name', 'cat.png/../../output/x.png'],
  ['an absolute path', '/opt/ComfyUI/output/ComfyUI_00001_.png'],
  ['a backslash', '..\\output\\ComfyUI_00001_.png'],
  ['a control character', 'cat.png\u0000.png'],
  ['a link (a value computed on the GPU)', ['9', 0]],
];

describe('file inputs confined to the execute’s own files, for every file-reading node of the core catalog', () => {
  it.each(FILE_READERS)(
    '%s.%s: a file the execute brings passes (with or without [input])',
    (classType, input) => {
      for (const value of ['cat.png', 'cat.png [input]']) {
        const prompt: PromptGraph = { '1': { class_type: classType, inputs: { [input]: value } } };
        expect(confinementErrors(prompt, catalog, new Set(['cat.png']), new Set(['Load3D']))).toEqual({});
      }
    },
  );

  for (const [classType, input] of FILE_READERS)
    it.each(ESCAPES)(
      `${classType}.${input}: %s is refused, naming the node, input and reason`,
      (_form, value) => {
        const prompt: PromptGraph = {
          '1': { class_type: classType, inputs: { [input]: value } },
          '9': { class_type: 'PrimitiveString', inputs: { value: 'x [output]' } },
        };
        const errors = confinementErrors(prompt, catalog, new Set(['cat.png']), new Set(['Load3D']));
        expect(errors['1']).toMatchObject({
          class_type: classType,
          errors: [{ type: 'file_input_refused', extra_info: { input_name: input } }],
        });
        expect(errors['1']!.errors[0]!.details).toMatch(new RegExp(`^${input}: `));
      },
    );

  it('refuses an output folder listing even when the endpoint offers it (LoadImageOutput)', () => {
    const listing = {
      ...catalog,
      LoadImageOutput: {
        ...catalog.LoadImageOutput,
        input: {
          required: { image: ['COMBO', { image_upload: true, image_folder: 'output', options: ['a.png'] }] },
        },
      },
    };
    const prompt: PromptGraph = { '1': { class_type: 'LoadImageOutput', inputs: { image: 'a.png' } } };
    expect(confinementErrors(prompt, listing, new Set(), new Set())['1']!.errors[0]!.type).toBe(
      'custom_validation_failed',
    );
  });

  it("passes Painter's empty mask (it reads no file) and refuses server-path nodes unless allowed", () => {
    const prompt: PromptGraph = {
      '1': { class_type: 'Painter', inputs: { mask: '', width: 512, height: 512, bg_color: '#000000' } },
      '2': { class_type: 'LoadTrainingDataset', inputs: { folder_name: '../output/their_dataset' } },
    };
    const errors = confinementErrors(prompt, catalog, new Set(), new Set());
    expect(Object.keys(errors)).toEqual(['2']);
    expect(errors['2']!.errors[0]).toMatchObject({
      type: 'node_not_allowed',
      extra_info: { input_name: 'folder_name', class_type: 'LoadTrainingDataset' },
    });
    expect(errors['2']!.errors[0]!.details).toContain('comfy-exec:allowNodes');
    expect(confinementErrors(prompt, catalog, new Set(), new Set(['LoadTrainingDataset']))).toEqual({});
  });

  it('refuses every custom node unless the operator allows its class (or "*") for the endpoint', () => {
    // Shaped as the corpus's ModelTest (custom_nodes.…): a multi-line text input it exec()s.
    const custom = {
      ...catalog,
      ModelTest: {
        input: { required: { model: ['MODEL'], code: ['STRING', { multiline: true }] } },
        output: [],
        output_node: true,
        python_module: 'custom_nodes.comfyui-some-pack',
      },
    };
    const prompt: PromptGraph = {
      '1': {
        class_type: 'ModelTest',
        inputs: { model: ['2', 0], code: "print(open('/etc/hostname').read())" },
      },
      '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    };
    const errors = confinementErrors(prompt, custom, new Set(), new Set(), 'comfy-async-studio');
    expect(Object.keys(errors)).toEqual(['1']);
    expect(errors['1']!.errors[0]).toMatchObject({
      type: 'node_not_allowed',
      extra_info: { class_type: 'ModelTest' },
    });
    expect(errors['1']!.errors[0]!.details).toBe(
      'ModelTest is a custom node (custom_nodes.comfyui-some-pack): it runs code this service cannot check, on an instance every API key shares; an operator may allow it for this endpoint with comfy-exec:allowNodes {"comfy-async-studio":["ModelTest"]}',
    );
    expect(confinementErrors(prompt, custom, new Set(), new Set(['ModelTest']))).toEqual({});
    expect(confinementErrors(prompt, custom, new Set(), new Set(['*']))).toEqual({});
  });

  it('refuses LoadLatent, whose value ComfyUI opens as any annotated or absolute path', () => {
    for (const latent of ['latents/ComfyUI_00001_.latent [output]', '/dev/zero', 'x.latent']) {
      const prompt: PromptGraph = { '5': { class_type: 'LoadLatent', inputs: { latent } } };
      expect(confinementErrors(prompt, catalog, new Set(), new Set())['5']!.errors[0]).toMatchObject({
        type: 'node_not_allowed',
        extra_info: { input_name: 'latent', class_type: 'LoadLatent' },
      });
    }
  });
});
