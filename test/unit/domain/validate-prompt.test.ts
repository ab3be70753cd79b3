import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uploadKind } from '../../../lambda/domain/inputs/file-inputs';
import { serverPathInputs } from '../../../lambda/domain/inputs/path-inputs';
import type { PromptGraph } from '../../../lambda/domain/prompt-graph';
import type { NodeCatalog } from '../../../lambda/domain/workflow/node-catalog';
import { validateAgainstCatalog } from '../../../lambda/domain/workflow/validate-prompt';
import { corpusCatalog } from '../../fixtures/corpus-pairs';
import { CORPUS_DIR, corpusApiPrompts, txt2imgPrompt } from '../../fixtures/prompts';

const base = corpusCatalog();
const catalog: NodeCatalog = {
  ...base,
  CheckpointLoaderSimple: {
    ...base.CheckpointLoaderSimple,
    input: { required: { ckpt_name: [['v1-5-pruned-emaonly.safetensors', 'sd_xl_base_1.0.safetensors']] } },
  },
};
const prompt = () => txt2imgPrompt() as unknown as PromptGraph;

describe("validateAgainstCatalog: ComfyUI's checks at the edge", () => {
  it('accepts a sound prompt', () => {
    expect(validateAgainstCatalog(prompt(), catalog)).toEqual({ node_errors: {}, outputs: ['9'] });
  });

  it('names a node type the endpoint lacks (missing_node_type)', () => {
    const p = prompt();
    p['3']!.class_type = 'KSamplerPro';
    expect(validateAgainstCatalog(p, catalog).failure?.error).toMatchObject({
      type: 'missing_node_type',
      extra_info: { node_id: '3', class_type: 'KSamplerPro' },
    });
  });

  it.each([
    ['required_input_missing', (p: PromptGraph) => delete p['3']!.inputs.steps],
    ['bad_linked_input', (p: PromptGraph) => (p['3']!.inputs.model = ['99', 0])],
    ['return_type_mismatch', (p: PromptGraph) => (p['3']!.inputs.model = ['4', 1])],
    ['invalid_input_type', (p: PromptGraph) => (p['3']!.inputs.steps = 'twenty')],
    ['invalid_input_type', (p: PromptGraph) => (p['3']!.inputs.steps = 2.5)],
    ['value_smaller_than_min', (p: PromptGraph) => (p['3']!.inputs.steps = 0)],
    ['value_bigger_than_max', (p: PromptGraph) => (p['3']!.inputs.cfg = 1000)],
    ['value_not_in_list', (p: PromptGraph) => (p['4']!.inputs.ckpt_name = 'not-installed.safetensors')],
    ['value_not_in_list', (p: PromptGraph) => (p['3']!.inputs.sampler_name = 'euler_x')],
  ])('reports %s with ComfyUI’s shape', (type, breakIt) => {
    const p = prompt();
    breakIt(p);
    const { failure } = validateAgainstCatalog(p, catalog);
    expect(failure?.error.type).toBe('prompt_outputs_failed_validation');
    const entry = Object.values(failure!.node_errors)[0]!;
    expect(entry.errors[0]!.type).toBe(type);
    expect(entry.dependent_outputs).toEqual(['9']);
  });

  it('coerces like ComfyUI: "1024" is an INT, 8.0 a FLOAT', () => {
    const p = prompt();
    p['5']!.inputs.width = '1024';
    p['3']!.inputs.cfg = 8.0;
    expect(validateAgainstCatalog(p, catalog).failure).toBeUndefined();
  });

  it('never compares against bounds beyond 2^53 (seed max 2^64-1 does not survive JSON)', () => {
    const p = prompt();
    p['3']!.inputs.seed = Number.MAX_SAFE_INTEGER;
    expect(validateAgainstCatalog(p, catalog).failure).toBeUndefined();
  });

  it("checks a 64-bit seed exactly against ComfyUI's 0xffffffffffffffff, which the catalog holds only rounded", () => {
    const p = prompt();
    p['3']!.inputs.seed = 0xffffffffffffffffn;
    expect(validateAgainstCatalog(p, catalog).failure).toBeUndefined();
    p['3']!.inputs.seed = 0x10000000000000000n;
    expect(validateAgainstCatalog(p, catalog).failure?.node_errors['3']?.errors[0]).toMatchObject({
      type: 'value_bigger_than_max',
      message: 'Value 18446744073709551616 bigger than max of 18446744073709551615',
    });
    // PrimitiveInt's ±sys.maxsize (±(2^63-1)): the catalog as the real server answers it, read by JSON.parse.
    const intCatalog = JSON.parse(
      '{"PrimitiveInt": {"input": {"required": {"value": ["INT", {"min": -9223372036854775807, "max": 9223372036854775807, "control_after_generate": true}]}}, "output": ["INT"], "output_node": false, "python_module": "comfy_extras.nodes_primitive"},' +
        ' "PreviewAny": {"input": {"required": {"source": ["*", {}]}}, "output": [], "output_node": true, "python_module": "comfy_extras.nodes_preview_any"}}',
    );
    const preview = (value: bigint) => ({
      '1': { class_type: 'PrimitiveInt', inputs: { value } },
      '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
    });
    const messages = (value: bigint) =>
      (
        validateAgainstCatalog(preview(value) as never, intCatalog).failure?.node_errors['1']?.errors ?? []
      ).map((error) => error.message);
    expect(messages(2n ** 63n - 1n)).toEqual([]);
    expect(messages(-(2n ** 63n - 1n))).toEqual([]);
    expect(messages(2n ** 63n)).toEqual(['Value 9223372036854775808 bigger than max of 9223372036854775807']);
    expect(messages(-(2n ** 63n))).toEqual([
      'Value -9223372036854775808 smaller than min of -9223372036854775807',
    ]);
    // The same bound for the digits as a string, and for a float past 2^53, as Python's int() reads them.
    p['3']!.inputs.seed = '18446744073709551616';
    expect(validateAgainstCatalog(p, catalog).failure?.node_errors['3']?.errors[0]?.message).toBe(
      'Value 18446744073709551616 bigger than max of 18446744073709551615',
    );
    p['3']!.inputs.seed = 2 ** 64;
    expect(validateAgainstCatalog(p, catalog).failure?.node_errors['3']?.errors[0]?.type).toBe(
      'value_bigger_than_max',
    );
    p['3']!.inputs.seed = '18446744073709551615';
    expect(validateAgainstCatalog(p, catalog).failure).toBeUndefined();
    p['3']!.inputs.seed = -(2n ** 60n);
    expect(validateAgainstCatalog(p, catalog).failure?.node_errors['3']?.errors[0]).toMatchObject({
      type: 'value_smaller_than_min',
      message: 'Value -1152921504606846976 smaller than min of 0',
    });
  });

  it('reports a missing input file and every other error in one answer, as ComfyUI does', () => {
    const img2img = JSON.parse(
      readFileSync(join(CORPUS_DIR, 'api/SaladTechnologies__comfyui-api__sd1.5-img2img.json'), 'utf8'),
    ) as PromptGraph;
    img2img['10']!.inputs.image = 'not-uploaded.png';
    img2img['3']!.inputs.sampler_name = 'euler_x';
    const { failure } = validateAgainstCatalog(img2img, catalog, new Set(['example.png']));
    expect(Object.keys(failure!.node_errors).sort()).toEqual(['10', '14', '3']);
    expect(failure!.node_errors['10']!.errors.map((e) => e.type)).toEqual(['custom_validation_failed']);
    expect(failure!.node_errors['14']!.errors[0]).toMatchObject({
      type: 'value_not_in_list',
      extra_info: { input_name: 'ckpt_name' },
    });
    expect(failure!.node_errors['3']!.errors[0]!.extra_info.input_name).toBe('sampler_name');
    expect(failure!.node_errors['14']!.dependent_outputs).toEqual(['9']);
  });

  it('runs the outputs that validate and reports the others, as ComfyUI does', () => {
    const p = prompt();
    p['10'] = { class_type: 'PreviewImage', inputs: { images: ['99', 0] } };
    const result = validateAgainstCatalog(p, catalog);
    expect(result.failure).toBeUndefined();
    expect(result.node_errors['10']!.dependent_outputs).toEqual(['10']);
  });

  it('refuses a prompt without output nodes, and tolerates inputs the catalog does not define', () => {
    const p = prompt();
    delete p['9'];
    expect(validateAgainstCatalog(p, catalog).failure?.error.type).toBe('prompt_no_outputs');
    const q = prompt();
    q['4']!.inputs.upload = 'image';
    q['4']!.inputs.is_changed = ['abc'];
    expect(validateAgainstCatalog(q, catalog).failure).toBeUndefined();
  });

  describe('file inputs (image_upload, audio_upload, video_upload, file_upload)', () => {
    const loaders = (): PromptGraph => ({
      '1': { class_type: 'LoadImage', inputs: { image: 'cat.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } },
      '3': { class_type: 'LoadAudio', inputs: { audio: 'voice.wav' } },
      '4': { class_type: 'SaveAudio', inputs: { audio: ['3', 0], filename_prefix: 'a' } },
    });

    it("answers a missing file as the real server does: the loader's own check, not the combo list", () => {
      const { failure } = validateAgainstCatalog(loaders(), catalog);
      expect(failure!.node_errors['1']!.errors).toEqual([
        {
          type: 'custom_validation_failed',
          message: 'Custom validation failed for node',
          details: 'image - Invalid image file: cat.png',
          extra_info: { input_name: 'image' },
        },
      ]);
      expect(failure!.node_errors['3']!.errors[0]!.details).toBe('audio - Invalid audio file: voice.wav');
    });

    it("passes a file the execute brings (with or without ComfyUI's [input] annotation) or the endpoint has", () => {
      const p = loaders();
      p['1']!.inputs.image = 'cat.png [input]';
      expect(validateAgainstCatalog(p, catalog, new Set(['cat.png', 'voice.wav'])).failure).toBeUndefined();
      p['1']!.inputs.image = 'example.png';
      const listing: NodeCatalog = {
        ...catalog,
        LoadImage: {
          ...catalog.LoadImage,
          input: { required: { image: [['example.png'], { image_upload: true }] } },
        },
      };
      expect(validateAgainstCatalog(p, listing, new Set(['voice.wav'])).failure).toBeUndefined();
    });

    it('refuses the whole prompt for a file it cannot vouch for, even when another output would run', () => {
      // ComfyUI never sees our per-output errors: it would run the image output and resolve the name itself.
      const p = loaders();
      p['1']!.inputs.image = 'cat.png [output]';
      const { failure } = validateAgainstCatalog(p, catalog, new Set(['cat.png', 'voice.wav']));
      expect(failure?.error.type).toBe('prompt_outputs_failed_validation');
      expect(failure!.node_errors['1']).toMatchObject({
        class_type: 'LoadImage',
        dependent_outputs: ['2'],
        errors: [{ type: 'file_input_refused', extra_info: { input_name: 'image' } }],
      });
      expect(failure!.node_errors['1']!.errors[0]!.details).toMatch(
        /^image: 'cat.png \[output\]'.*output folder/,
      );
      p['1']!.inputs.image = 'comfy-exec/another-execute/cat.png';
      expect(
        validateAgainstCatalog(p, catalog, new Set(['voice.wav'])).failure!.node_errors['1']!.errors[0]!.type,
      ).toBe('custom_validation_failed');
    });

    it('answers value_not_in_list for a file input whose node has no file check of its own (Load3D)', () => {
      const p: PromptGraph = {
        '1': { class_type: 'Load3D', inputs: { model_file: 'chair.glb', image: 'x', width: 8, height: 8 } },
        '2': { class_type: 'PreviewAny', inputs: { source: ['1', 2] } },
      };
      // Load3D's capture paths are server paths: only an endpoint that allows the class runs it.
      const allowed = new Set(['Load3D']);
      const { failure } = validateAgainstCatalog(p, catalog, new Set(), new Set(), allowed);
      expect(failure!.node_errors['1']!.errors.map((e) => e.type)).toContain('value_not_in_list');
      expect(
        validateAgainstCatalog(p, catalog, new Set(['chair.glb']), new Set(), allowed).failure,
      ).toBeUndefined();
      const [refusal] = validateAgainstCatalog(
        p,
        catalog,
        new Set(['chair.glb']),
        new Set(),
        new Set(),
        'studio',
      ).failure!.node_errors['1']!.errors;
      expect(refusal!.type).toBe('node_not_allowed');
      // Names the setting as the operator would write it for this endpoint.
      expect(refusal!.details).toContain(`comfy-exec:allowNodes {"studio":["${p['1']!.class_type}"]}`);
    });
  });

  it.each(corpusApiPrompts())(
    'raises no false error on $name for the nodes the catalog has',
    ({ prompt: corpusPrompt }) => {
      const graph = corpusPrompt as unknown as PromptGraph;
      // Custom nodes neither dump has: permissive stand-ins (any socket, sinks are outputs).
      const consumed = new Set(
        Object.values(graph).flatMap((node) =>
          Object.values(node.inputs)
            .filter(Array.isArray)
            .map((link) => link[0]),
        ),
      );
      const extended: NodeCatalog = { ...base };
      for (const [id, node] of Object.entries(graph)) {
        extended[node.class_type] ??= {
          input: {},
          output: Array(64).fill('*'),
          output_node: !consumed.has(id),
        };
      }
      // As on an endpoint whose operator installed these packs and allowed them all ("*"): custom
      // nodes are refused whole otherwise, which says nothing about the checks below.
      const { failure, node_errors } = validateAgainstCatalog(
        graph,
        extended,
        new Set(),
        new Set(),
        new Set(['*']),
      );
      if (failure?.error.type === 'prompt_no_outputs') {
        expect(Object.values(graph).some((node) => extended[node.class_type]?.output_node)).toBe(false);
        return;
      }
      for (const [id, entry] of Object.entries(failure?.node_errors ?? node_errors)) {
        for (const error of entry.errors) {
          const name = String(error.extra_info.input_name ?? error.details);
          const spec = {
            ...extended[entry.class_type]!.input?.required,
            ...extended[entry.class_type]!.input?.optional,
          }[name] as unknown[];
          // The only errors allowed are true ones: a model or file this machine lacks, an input newer
          // than the prompt, or a core node that reads or writes server paths.
          if (error.type === 'node_not_allowed') {
            expect(serverPathInputs(entry.class_type, extended[entry.class_type]!), id).not.toEqual([]);
          } else if (error.type === 'custom_validation_failed') {
            // A loader's own file check (LoadImage, ...): the file is not on this machine.
            expect(uploadKind(spec), `${id}.${name}`).toBeDefined();
            expect(error.details).toBe(
              `${name} - Invalid ${uploadKind(spec)} file: ${graph[id]!.inputs[name]}`,
            );
          } else if (error.type === 'value_not_in_list') {
            const list = Array.isArray(spec[0])
              ? spec[0]
              : ((spec[1] as { options?: unknown[] })?.options ?? []);
            expect(list, `${id}.${name}`).not.toContain(graph[id]!.inputs[name]);
          } else {
            expect(error.type, `${id} ${entry.class_type}: ${error.details}`).toBe('required_input_missing');
            expect(graph[id]!.inputs).not.toHaveProperty(name);
          }
        }
      }
    },
  );
});
