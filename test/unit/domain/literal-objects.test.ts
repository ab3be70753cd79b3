import { describe, expect, it } from 'vitest';
import { coreCatalog } from '../../../lambda/catalog/core-catalog';
import type { PromptGraph } from '../../../lambda/domain/prompt-graph';
import type { NodeCatalog } from '../../../lambda/domain/workflow/node-catalog';
import { validateAgainstCatalog } from '../../../lambda/domain/workflow/validate-prompt';

const catalog = coreCatalog();
/** What the third two-key attack posted: A's saved image named as Preview3D's camera. */
const stolenCamera = { filename: 'secret_00001_.png', subfolder: 'private', type: 'output' };

const errorsOf = (prompt: PromptGraph, on: NodeCatalog = catalog) =>
  validateAgainstCatalog(prompt, on).failure?.node_errors ?? {};

describe('literal objects in a core node’s inputs (issue 25: Preview3D echoes camera_info as a file)', () => {
  it('refuses Preview3D’s camera_info given as an object, naming the input', () => {
    const errors = errorsOf({
      '1': { class_type: 'Preview3D', inputs: { model_file: 'x.glb', camera_info: stolenCamera } },
    } as unknown as PromptGraph);
    expect(errors['1']?.errors).toEqual([
      expect.objectContaining({
        type: 'invalid_input_type',
        message: "Input camera_info takes no literal object: connect it to a node's output",
      }),
    ]);
  });

  it('refuses the same object on any core input, wrapped as a literal list or not', () => {
    for (const value of [stolenCamera, { __value__: [stolenCamera] }, { __value__: ['a.png'] }]) {
      const errors = errorsOf({
        '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: value } },
      } as unknown as PromptGraph);
      expect(errors['2']?.errors[0], JSON.stringify(value)).toMatchObject({ type: 'invalid_input_type' });
    }
  });

  it('lets a literal list through on a multi-select combo, as ComfyUI sends one', () => {
    const withMultiselect: NodeCatalog = {
      ...catalog,
      PickMany: {
        input: { required: { names: [['a', 'b', 'c'], { multiselect: true }] } },
        output: [],
        output_node: true,
        python_module: 'comfy_extras.nodes_test',
      },
    } as unknown as NodeCatalog;
    const errors = errorsOf(
      {
        '1': { class_type: 'PickMany', inputs: { names: { __value__: ['a', 'c'] } } },
      } as unknown as PromptGraph,
      withMultiselect,
    );
    expect(JSON.stringify(errors)).toBe('{}');
  });
});
