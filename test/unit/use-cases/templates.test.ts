import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EndpointNotFoundError,
  IdempotencyConflictError,
  PromptValidationError,
  RequestValidationError,
  TemplateExistsError,
  TemplateNotFoundError,
} from '../../../lambda/domain/errors';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { refuseForParameters, templateRun } from '../../../lambda/use-cases/run-template';
import {
  createTemplate,
  deleteTemplates,
  getTemplate,
  listTemplates,
  type TemplatesDeps,
  updateTemplate,
} from '../../../lambda/use-cases/templates';
import { InMemoryTemplateStore } from '../../fakes/in-memory-template-store';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { CORPUS_DIR, txt2imgPrompt } from '../../fixtures/prompts';

const OWNER = 'key-a';
const OTHER = 'key-b';
/** A real API export: LoadImage 10, checkpoint 14 (dreamshaper_8, which the core catalog does not list). */
const img2imgText = () =>
  readFileSync(join(CORPUS_DIR, 'api', 'SaladTechnologies__comfyui-api__sd1.5-img2img.json'), 'utf8');

function setup() {
  const create = fakeCreateDeps();
  const templates = new InMemoryTemplateStore();
  const deps: TemplatesDeps = {
    templates,
    catalogs: create.deps.catalogs,
    clock: create.clock,
    config: { ...create.deps.config, maxPromptNodes: 5000 },
  };
  return { ...create, templates, templatesDeps: deps, runDeps: { ...deps, config: create.deps.config } };
}

describe('CreateSchema', () => {
  it('stores ESD’s fields as sent and answers the parameters, refusing a second of the name with ESD’s text', async () => {
    const { templates, templatesDeps, clock } = setup();
    const view = await createTemplate({ name: 'fox', payload: img2imgText() }, OWNER, templatesDeps);
    expect(view).toMatchObject({
      name: 'fox',
      payload: img2imgText(),
      workflow: '',
      endpoint_name: 'comfy-async-default',
    });
    expect(Object.keys(view.inputs)).toEqual([
      'prompt',
      'negative_prompt',
      'image',
      'ckpt_name',
      'seed',
      'steps',
      'cfg',
      'denoise',
    ]);
    clock.advance(1000);
    await expect(
      createTemplate({ name: 'fox', payload: txt2imgPrompt() }, OWNER, templatesDeps),
    ).rejects.toThrow(new TemplateExistsError('fox already exists'));
    expect((await templates.get(OWNER, 'fox'))!.template.payload).toBe(img2imgText());
    // Another key's name space is its own.
    await createTemplate({ name: 'fox', payload: txt2imgPrompt() }, OTHER, templatesDeps);
  });

  it.each([
    [{ payload: '{"3": ' }, RequestValidationError, 'payload: not JSON text'],
    [{ payload: '[]' }, RequestValidationError, 'payload: must be a JSON object'],
    [{ payload: { '1': { class_type: 'NoSuchNode', inputs: {} } } }, PromptValidationError, 'NoSuchNode'],
    [
      { workflow: 'nope' },
      EndpointNotFoundError,
      "workflow 'nope' is not a deployed environment (its endpoint would be comfy-async-nope); environments: 'default', 'sdxl'",
    ],
    [{ inputs: { p: { places: ['99.text'] } } }, RequestValidationError, "parameter 'p': place '99.text'"],
  ])('refuses %o, writing nothing', async (fields, type, message) => {
    const { templates, templatesDeps } = setup();
    const request = { name: 'fox', payload: img2imgText(), ...fields } as never;
    const refused = createTemplate(request, OWNER, templatesDeps);
    await expect(refused).rejects.toBeInstanceOf(type);
    await expect(refused).rejects.toThrow(message);
    expect(templates.stored.size).toBe(0);
  });
});

describe('UpdateSchema', () => {
  it('replaces the fields sent, checks declared parameters against a new payload, and keeps other keys out', async () => {
    const { templates, templatesDeps } = setup();
    await createTemplate(
      { name: 'fox', payload: img2imgText(), inputs: { image: { places: ['10.image'] } } },
      OWNER,
      templatesDeps,
    );
    await expect(updateTemplate('fox', { payload: txt2imgPrompt() }, OWNER, templatesDeps)).rejects.toThrow(
      "parameter 'image': place '10.image': the prompt has no node '10'",
    );
    expect((await templates.get(OWNER, 'fox'))!.template.payload).toBe(img2imgText());
    const view = await updateTemplate(
      'fox',
      { payload: txt2imgPrompt(), inputs: null },
      OWNER,
      templatesDeps,
    );
    expect(view.declared_inputs).toBeNull();
    expect(Object.keys(view.inputs)).toContain('width');
    await expect(updateTemplate('fox', { workflow: '' }, OTHER, templatesDeps)).rejects.toBeInstanceOf(
      TemplateNotFoundError,
    );
    await expect(updateTemplate('fox', {}, OWNER, templatesDeps)).rejects.toThrow(
      'At least one of workflow or payload',
    );
  });

  it('re-reads once when another update lands between its read and its write, then gives up with a 409', async () => {
    const { templates, templatesDeps } = setup();
    await createTemplate({ name: 'fox', payload: img2imgText() }, OWNER, templatesDeps);
    let races = 1;
    templates.beforeReplace = () => {
      if (races-- > 0)
        templates.put(OWNER, { ...templates.stored.get(`${OWNER}\u0000fox`)!.template, workflow: 'sdxl' });
    };
    const view = await updateTemplate(
      'fox',
      { inputs: { seed: { places: ['3.seed'] } } },
      OWNER,
      templatesDeps,
    );
    // The concurrent change is kept: the retry started from it.
    expect(view).toMatchObject({ workflow: 'sdxl', endpoint_name: 'comfy-async-sdxl' });
    races = 2;
    await expect(updateTemplate('fox', { workflow: '' }, OWNER, templatesDeps)).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });
});

describe('GetSchema, ListSchemas, DeleteSchemas', () => {
  it('show only the caller’s own, page by name, and delete only the caller’s', async () => {
    const { templatesDeps } = setup();
    for (const name of ['c', 'a', 'b'])
      await createTemplate({ name, payload: txt2imgPrompt() }, OWNER, templatesDeps);
    const first = await listTemplates({ limit: 2 }, OWNER, templatesDeps);
    expect(first.schemas.map((row) => row.name)).toEqual(['a', 'b']);
    const second = await listTemplates({ limit: 2, after: first.last_evaluated_key! }, OWNER, templatesDeps);
    expect(second).toMatchObject({ schemas: [{ name: 'c' }], last_evaluated_key: null });
    expect((await listTemplates({ limit: 10 }, OTHER, templatesDeps)).schemas).toEqual([]);
    await expect(getTemplate('a', OTHER, templatesDeps)).rejects.toThrow('schema with name a not found');
    await deleteTemplates(['a', 'zzz'], OTHER, templatesDeps);
    expect((await getTemplate('a', OWNER, templatesDeps)).name).toBe('a');
    await deleteTemplates(['a', 'zzz'], OWNER, templatesDeps);
    await expect(getTemplate('a', OWNER, templatesDeps)).rejects.toBeInstanceOf(TemplateNotFoundError);
  });

  it('still shows a template its endpoint no longer types, saying why', async () => {
    const { templates, templatesDeps } = setup();
    await createTemplate({ name: 'fox', payload: img2imgText() }, OWNER, templatesDeps);
    const missing = { ...templatesDeps, catalogs: { forEndpoint: async () => ({}) } };
    const view = await getTemplate('fox', OWNER, missing);
    expect(view.input_schema).toBeNull();
    expect(view.problem).toContain('KSampler');
    expect(templates.stored.size).toBe(1);
  });
});

describe('a run by name', () => {
  it('creates the execute CreateExecute would, with the values in place and the template recorded', async () => {
    const { templatesDeps, runDeps, deps, store, invoker } = setup();
    await createTemplate(
      {
        name: 'fox',
        payload: img2imgText(),
        workflow: 'sdxl',
        inputs: {
          prompt: { places: ['6.text'] },
          checkpoint: { places: ['14.ckpt_name'], default: 'v1-5-pruned-emaonly.safetensors' },
        },
      },
      OWNER,
      templatesDeps,
    );
    const run = await templateRun('fox', { inputs: { prompt: 'a red fox' } }, OWNER, runDeps);
    expect(run.input).toMatchObject({ endpoint_name: 'comfy-async-sdxl', workflow_name: 'sdxl' });
    const { record } = await createExecute(run.input, OWNER, deps, refuseForParameters(run.parameters));
    expect(record.template).toEqual({
      name: 'fox',
      create_time: '2026-11-22T10:00:00.000Z',
      inputs: { prompt: 'a red fox' },
    });
    expect(record.prompt_params.prompt!['6']!.inputs.text).toBe('a red fox');
    expect(record.prompt_params.prompt!['14']!.inputs.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');
    expect(invoker.calls).toHaveLength(1);
    // Point 5: a later change of the template leaves the execute's prompt as it ran.
    await updateTemplate('fox', { payload: txt2imgPrompt(), inputs: null }, OWNER, templatesDeps);
    expect((await store.get(record.prompt_id))!.prompt_params.prompt!['6']!.inputs.text).toBe('a red fox');
    // endpoint_name overrides the template's environment.
    const elsewhere = await templateRun('fox', { endpoint_name: 'comfy-async-default' }, OWNER, runDeps);
    expect(elsewhere.input).toMatchObject({ endpoint_name: 'comfy-async-default', workflow_name: null });
  });

  it("tells the create's own check of a value (a file the caller never uploaded) as the parameter's", async () => {
    const { templatesDeps, runDeps, deps, store } = setup();
    await createTemplate(
      { name: 'fox', payload: img2imgText(), inputs: { image: { places: ['10.image'] } } },
      OWNER,
      templatesDeps,
    );
    const run = await templateRun(
      'fox',
      { inputs: { image: 'in-00000000000000000-cat.png' } },
      OWNER,
      runDeps,
    );
    const checks = refuseForParameters(run.parameters);
    const failed = await createExecute(run.input, OWNER, deps, checks).catch((error) => checks.rename(error));
    expect(failed).toBeInstanceOf(PromptValidationError);
    expect((failed as Error).message).toMatch(/^parameter 'image': /);
    expect(store.records.size).toBe(0);
  });

  it('is another key’s 404, and refuses unknown parameters naming them', async () => {
    const { templatesDeps, runDeps } = setup();
    await createTemplate({ name: 'fox', payload: img2imgText() }, OWNER, templatesDeps);
    await expect(templateRun('fox', {}, OTHER, runDeps)).rejects.toThrow('schema with name fox not found');
    await expect(templateRun('fox', { inputs: { nope: 1 } }, OWNER, runDeps)).rejects.toThrow(
      "unknown parameter 'nope'",
    );
  });
});

describe("a run's file refusals", () => {
  it('name the parameter whatever part of the create refused the file', () => {
    const checks = refuseForParameters([], { 'image.wav': 'image' });
    const renamed = checks.rename(
      new RequestValidationError(
        "LoadImage (node 10) input 'image' reads image files, but 'image.wav' is audio/wav",
      ),
    ) as RequestValidationError;
    expect(renamed.message).toBe(
      "parameter 'image': LoadImage (node 10) input 'image' reads image files, but 'image.wav' is audio/wav",
    );
    expect(renamed.data).toEqual({ parameter: 'image' });
    const source = checks.rename(
      new RequestValidationError("inputs['image.wav']: only https:// URLs are fetched"),
    ) as RequestValidationError;
    expect(source.message).toBe("parameter 'image': only https:// URLs are fetched");
  });
});

describe('ListSchemas within a Lambda answer', () => {
  it('ends a page early when the payloads pass 2 MB, and the next page goes on from there', async () => {
    const { templates, templatesDeps } = setup();
    const big = JSON.stringify({
      ...txt2imgPrompt(),
      pad: { class_type: 'Note', inputs: { text: 'x'.repeat(900_000) } },
    });
    for (const name of ['a', 'b', 'c', 'd'])
      templates.put(OWNER, {
        name,
        payload: big,
        workflow: '',
        inputs: null,
        create_time: '',
        update_time: '',
      });
    const first = await listTemplates({ limit: 10 }, OWNER, templatesDeps);
    expect(first.schemas.map((row) => row.name)).toEqual(['a', 'b']);
    expect(first.last_evaluated_key).toBe('b');
    const second = await listTemplates({ limit: 10, after: 'b' }, OWNER, templatesDeps);
    expect(second.schemas.map((row) => row.name)).toEqual(['c', 'd']);
    expect(second.last_evaluated_key).toBeNull();
  });
});
