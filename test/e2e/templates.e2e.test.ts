import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import {
  ESD_CREATE_SCHEMA_REQUEST,
  ESD_CREATE_SCHEMA_RESPONSE,
  ESD_DELETE_SCHEMAS_REQUEST,
  ESD_GET_SCHEMA_RESPONSE,
  ESD_LIST_SCHEMAS_RESPONSE,
} from '../fixtures/esd-schema-models';
import { halvesPng } from '../fixtures/media';
import { CORPUS_DIR } from '../fixtures/prompts';
import { api, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

/** ComfyUI's inpainting example as its editor saved it: LoadImage 20, VAEEncodeForInpaint, KSampler 3. */
const inpaintWorkflow = readFileSync(join(CORPUS_DIR, 'pairs', '058', 'workflow.json'), 'utf8');
/** A real API export (Salad's comfyui-api): LoadImage 10 with the frontend's `upload`, checkpoint 14. */
const img2imgExport = readFileSync(
  join(CORPUS_DIR, 'api', 'SaladTechnologies__comfyui-api__sd1.5-img2img.json'),
  'utf8',
);
const IMG2IMG_INPUTS = {
  prompt: { places: ['6.text'], description: 'what to paint over the image' },
  seed: { places: ['3.seed'] },
  steps: { places: ['3.steps'], default: 2 },
  sampler: { places: ['3.sampler_name'] },
  denoise: { places: ['3.denoise'] },
  checkpoint: { places: ['14.ckpt_name'], default: 'v1-5-pruned-emaonly.safetensors' },
  image: { places: ['10.image'] },
};

let stack: LocalStack;
let catalog: Record<string, any>;
let uploaded: string;
/** Serves one PNG, as an image host would: a file parameter may name it by URL. */
let imageHost: Server;
let imageUrl: string;
beforeAll(async () => {
  imageHost = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'image/png' }).end(halvesPng(32, 32)),
  );
  await new Promise<void>((resolve) => imageHost.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(imageHost.address() as AddressInfo).port}/photos/fox.png`;
  stack = await startE2eStack({ loopbackInputUrls: true });
  catalog = (await api(stack, 'GET', 'comfyui/object_info')).body;
  const bytes = halvesPng(64, 64);
  const created = await api(stack, 'POST', 'inputs', {
    body: { filename: 'cat.png', content_type: 'image/png', size: bytes.length },
  });
  const { upload, name } = created.body.data;
  await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes });
  uploaded = name;
  const saved = await api(stack, 'POST', 'schemas', {
    body: { name: 'img2img', payload: img2imgExport, workflow: '', inputs: IMG2IMG_INPUTS },
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  imageHost?.close();
});

const spec = (classType: string, input: string) => catalog[classType].input.required[input];

describe('a template saved, typed by the endpoint, and run by name through npm start', () => {
  it("answers a UI workflow's derived parameters with the types, ranges and choices the endpoint's catalog says", async () => {
    const saved = await api(stack, 'POST', 'schemas', {
      body: { name: 'inpaint', payload: inpaintWorkflow },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.message).toBe('inpaint created');
    const { data } = (await api(stack, 'GET', 'schemas/inpaint')).body;
    expect(data.declared_inputs).toBeNull();
    const properties = data.input_schema.properties;
    // Its checkpoint and VAE are not on this endpoint: offered, so a run can name ones it has.
    expect(Object.keys(properties)).toEqual([
      'prompt',
      'negative_prompt',
      'image',
      'ckpt_name',
      'vae_name',
      'seed',
      'steps',
      'cfg',
      'denoise',
    ]);
    // The models it names are not ones a run would find: no default, a run names one the endpoint has.
    expect(properties.ckpt_name).toMatchObject({ 'x-model-folder': 'checkpoints' });
    expect(properties.ckpt_name).not.toHaveProperty('default');
    const [, steps] = spec('KSampler', 'steps');
    expect(properties.steps).toMatchObject({
      type: 'integer',
      minimum: steps.min,
      maximum: steps.max,
      default: 20,
    });
    const [, cfg] = spec('KSampler', 'cfg');
    expect(properties.cfg).toMatchObject({
      type: 'number',
      minimum: cfg.min,
      maximum: cfg.max,
      'x-step': cfg.step,
    });
    expect(properties.seed).toMatchObject({ type: 'integer', minimum: 0, 'x-places': ['3.seed'] });
    // The example image the workflow was saved with is not on this endpoint: no default, required.
    expect(properties.image).toMatchObject({ type: 'string', 'x-file': 'image' });
    expect(properties.image).not.toHaveProperty('default');
    expect(data.input_schema.required).toEqual(['image', 'ckpt_name', 'vae_name']);
    expect(properties.prompt.default).toContain('yosemite national park');
  });

  it('says at save time what a run will be refused for at places no parameter sets', async () => {
    const saved = await api(stack, 'POST', 'schemas', {
      body: { name: 'prompt_only', payload: img2imgExport, inputs: { prompt: { places: ['6.text'] } } },
    });
    expect(saved.status).toBe(200);
    const warning =
      "node 14 (CheckpointLoaderSimple) ckpt_name 'dreamshaper_8.safetensors' is not on the endpoint, and no parameter sets it: runs need it in the model library";
    expect(saved.body.data.warnings).toEqual([warning]);
    expect(saved.body.message).toBe(`prompt_only created; ${warning}`);
    // Declared where the model goes, or derived (which offers it): nothing to say.
    expect((await api(stack, 'GET', 'schemas/img2img')).body.data).not.toHaveProperty('warnings');
  });

  it('answers declared parameters of an API export with their choices and the model library beside them', async () => {
    const { data } = (await api(stack, 'GET', 'schemas/img2img')).body;
    const properties = data.input_schema.properties;
    expect(properties.sampler.enum).toEqual(spec('KSampler', 'sampler_name')[0]);
    expect(properties.checkpoint).toMatchObject({
      type: 'string',
      examples: spec('CheckpointLoaderSimple', 'ckpt_name')[0],
      'x-model-folder': 'checkpoints',
      default: 'v1-5-pruned-emaonly.safetensors',
    });
    expect(properties.prompt.description).toBe('what to paint over the image');
    expect(data.input_schema.additionalProperties).toBe(false);
  });

  it('runs by name with an uploaded image and a few values, to success, the values in the stored prompt', async () => {
    const run = await api(stack, 'POST', 'schemas/img2img/executes', {
      body: { inputs: { prompt: 'a red fox', seed: 7, image: uploaded, sampler: 'euler' } },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const { record } = await pollUntilFinal(stack, run.body.data.prompt_id);
    expect(record.status, record.message).toBe('success');
    const prompt = record.prompt_params.prompt;
    expect(prompt['6'].inputs.text).toBe('a red fox');
    expect(prompt['3'].inputs).toMatchObject({
      seed: 7,
      steps: 2,
      sampler_name: 'euler',
      denoise: 0.8700000000000001,
    });
    expect(prompt['10'].inputs).toEqual({ image: uploaded, upload: 'image' });
    expect(prompt['14'].inputs.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');
    const saved = (await api(stack, 'GET', 'schemas/img2img')).body.data;
    expect(record.template).toEqual({
      name: 'img2img',
      create_time: saved.create_time,
      inputs: { prompt: 'a red fox', seed: 7, image: uploaded, sampler: 'euler' },
    });
    expect(record.output_files.length).toBeGreaterThan(0);
    const listed = await api(stack, 'GET', 'executes?template=img2img&limit=100');
    expect(listed.body.data.executes.map((e: { prompt_id: string }) => e.prompt_id)).toContain(
      record.prompt_id,
    );
    const other = await api(stack, 'GET', 'executes?template=inpaint&limit=100');
    expect(other.body.data.executes.map((e: { prompt_id: string }) => e.prompt_id)).not.toContain(
      record.prompt_id,
    );
  });

  it('takes a file as inline data or a URL as Files in does, named after the parameter', async () => {
    const inline = `data:image/png;base64,${halvesPng(24, 24).toString('base64')}`;
    for (const [image, name] of [
      [inline, 'image.png'],
      [imageUrl, 'image.png'],
    ] as const) {
      const run = await api(stack, 'POST', 'schemas/img2img/executes', { body: { inputs: { image } } });
      expect(run.status, JSON.stringify(run.body)).toBe(201);
      const { record } = await pollUntilFinal(stack, run.body.data.prompt_id);
      expect(record.status, record.message).toBe('success');
      expect(record.prompt_params.prompt['10'].inputs.image).toBe(name);
      expect(record.template.inputs).toEqual({ image: name });
    }
  });

  it('answers every bad value 400 naming the parameter, and creates nothing', async () => {
    const before = (await api(stack, 'GET', 'executes?template=img2img&limit=100')).body.data.executes.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ nope: 1 }, "unknown parameter 'nope'; this template takes 'prompt', 'seed', 'steps'"],
      [{ steps: '4' }, "parameter 'steps': must be an integer, not a string"],
      [{ steps: 0 }, "parameter 'steps': 0 is below the minimum 1"],
      [{ denoise: 2 }, "parameter 'denoise': 2 is above the maximum 1"],
      [{ sampler: 'fastest' }, `parameter 'sampler': "fastest" is not one of the choices`],
      [{ checkpoint: 'missing.safetensors' }, "parameter 'checkpoint': "],
      [{ image: 'in-00000000000000000-never.png' }, "parameter 'image': "],
    ];
    for (const [inputs, message] of cases) {
      const answer = await api(stack, 'POST', 'schemas/img2img/executes', { body: { inputs } });
      expect(answer.status, JSON.stringify(inputs)).toBe(400);
      expect(answer.body.message).toContain(message);
    }
    expect((await api(stack, 'GET', 'executes?template=img2img&limit=100')).body.data.executes).toHaveLength(
      before,
    );
  });

  it("keeps each key's templates its own", async () => {
    for (const [method, path, body] of [
      ['GET', 'schemas/img2img', undefined],
      ['PUT', 'schemas/img2img', { workflow: '' }],
      ['POST', 'schemas/img2img/executes', { inputs: {} }],
    ] as const) {
      const answer = await api(stack, method, path, { key: KEY_B, ...(body ? { body } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.message).toBe('schema with name img2img not found');
    }
    expect((await api(stack, 'GET', 'schemas', { key: KEY_B })).body.data.schemas).toEqual([]);
    expect(
      (await api(stack, 'DELETE', 'schemas', { key: KEY_B, body: { schema_name_list: ['img2img'] } })).status,
    ).toBe(204);
    expect((await api(stack, 'GET', 'executes?template=img2img', { key: KEY_B })).body.data.executes).toEqual(
      [],
    );
    // Key B's own template of the same name is another template.
    expect(
      (
        await api(stack, 'POST', 'schemas', {
          key: KEY_B,
          body: { name: 'img2img', payload: inpaintWorkflow },
        })
      ).status,
    ).toBe(200);
    expect((await api(stack, 'GET', 'schemas/img2img')).body.data.payload).toBe(img2imgExport);
  });

  it('is idempotent on prompt_id, and a changed template never changes an execute made from it', async () => {
    await api(stack, 'POST', 'schemas', {
      body: { name: 'changing', payload: img2imgExport, inputs: IMG2IMG_INPUTS },
    });
    const promptId = crypto.randomUUID();
    const body = { prompt_id: promptId, inputs: { prompt: 'first', image: uploaded } };
    expect((await api(stack, 'POST', 'schemas/changing/executes', { body })).status).toBe(201);
    expect((await api(stack, 'POST', 'schemas/changing/executes', { body })).status).toBe(200);
    const other = { ...body, inputs: { ...body.inputs, prompt: 'second' } };
    expect((await api(stack, 'POST', 'schemas/changing/executes', { body: other })).status).toBe(409);
    const changed = await api(stack, 'PUT', 'schemas/changing', {
      body: { inputs: { ...IMG2IMG_INPUTS, steps: { places: ['3.steps'], default: 3 } } },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const { record } = await pollUntilFinal(stack, promptId);
    expect(record.prompt_params.prompt['3'].inputs.steps).toBe(2);
    expect(record.prompt_params.prompt['6'].inputs.text).toBe('first');
  });

  it("lists a template's runs apart from those of a deleted template of the same name", async () => {
    await api(stack, 'POST', 'schemas', {
      body: { name: 'again', payload: img2imgExport, inputs: IMG2IMG_INPUTS },
    });
    const first = await api(stack, 'POST', 'schemas/again/executes', {
      body: { inputs: { image: uploaded } },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const listed = async () =>
      (await api(stack, 'GET', 'executes?template=again&limit=100')).body.data.executes.map(
        (e: { prompt_id: string }) => e.prompt_id,
      );
    expect(await listed()).toEqual([first.body.data.prompt_id]);
    expect((await api(stack, 'DELETE', 'schemas', { body: { schema_name_list: ['again'] } })).status).toBe(
      204,
    );
    expect(await listed()).toEqual([]);
    await api(stack, 'POST', 'schemas', {
      body: { name: 'again', payload: img2imgExport, inputs: IMG2IMG_INPUTS },
    });
    expect(await listed()).toEqual([]);
    // The execute itself still says what it ran.
    const { record } = await pollUntilFinal(stack, first.body.data.prompt_id);
    expect(record.template).toMatchObject({ name: 'again', inputs: { image: uploaded } });
  });

  it('pages ListSchemas by name past one page, and refuses a payload a request body could not carry', async () => {
    const names: string[] = [];
    for (let page = await api(stack, 'GET', 'schemas?limit=1'); ; ) {
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      names.push(...page.body.data.schemas.map((row: { name: string }) => row.name));
      const next = page.body.data.last_evaluated_key;
      if (next === null) break;
      page = await api(stack, 'GET', `schemas?limit=1&exclusive_start_key=${next}`);
    }
    expect(names.length).toBeGreaterThan(3);
    expect(names).toEqual([...names].sort());
    // '__proto__' as a key would become the object's prototype: refused wherever it is.
    const proto = await api(stack, 'POST', 'schemas', {
      body: JSON.parse(
        `{"name":"proto","payload":${JSON.stringify(img2imgExport)},"inputs":{"__proto__":{"places":["6.text"]}}}`,
      ),
    });
    expect(proto.status).toBe(400);
    expect(proto.body.message).toContain("inputs.__proto__: '__proto__' is not a key any field accepts");
    const withNul = JSON.stringify({
      '1': { class_type: 'SaveImage', inputs: { filename_prefix: 'a\u0000b' } },
    });
    const refused = await api(stack, 'POST', 'schemas', { body: { name: 'nul', payload: withNul } });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('payload holds a NUL character');
    expect((await api(stack, 'GET', 'schemas/nul')).status).toBe(404);
    const http = await api(stack, 'POST', 'schemas/img2img/executes', {
      body: { inputs: { image: 'http://example.com/a.png' } },
    });
    expect(http.status).toBe(400);
    expect(http.body.message).toMatch(/^parameter 'image': /);
    expect(http.body.data).toEqual({ parameter: 'image' });
  });

  it('lets one of two crossing creates of a name win; the other is a 409 and overwrites nothing', async () => {
    const [a, b] = await Promise.all([
      api(stack, 'POST', 'schemas', { body: { name: 'race', payload: img2imgExport } }),
      api(stack, 'POST', 'schemas', { body: { name: 'race', payload: inpaintWorkflow } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? img2imgExport : inpaintWorkflow;
    expect((await api(stack, 'GET', 'schemas/race')).body.data.payload).toBe(winner);
    expect((a.status === 409 ? a : b).body.message).toBe('race already exists');
  });
});

describe("ESD's /schemas shapes", () => {
  const ajv = new Ajv2020({ strict: false });
  const conforms = (schema: object, value: unknown) => {
    const validate = ajv.compile(schema);
    expect(validate(value), ajv.errorsText(validate.errors)).toBe(true);
  };

  it("takes ESD's requests and answers in ESD's published shapes", async () => {
    const request = { name: 'esd_style', payload: img2imgExport, workflow: '' };
    conforms(ESD_CREATE_SCHEMA_REQUEST, request);
    const created = await api(stack, 'POST', 'schemas', { body: request });
    conforms(ESD_CREATE_SCHEMA_RESPONSE, created.body);
    conforms(ESD_GET_SCHEMA_RESPONSE, (await api(stack, 'GET', 'schemas/esd_style')).body);
    conforms(ESD_LIST_SCHEMAS_RESPONSE, (await api(stack, 'GET', 'schemas')).body);
    const updated = await api(stack, 'PUT', 'schemas/esd_style', {
      body: { payload: img2imgExport, workflow: '' },
    });
    conforms(ESD_GET_SCHEMA_RESPONSE, updated.body);
    const deleting = { schema_name_list: ['esd_style'] };
    conforms(ESD_DELETE_SCHEMAS_REQUEST, deleting);
    const deleted = await api(stack, 'DELETE', 'schemas', { body: deleting });
    // A 204 carries no body through API Gateway, as ESD's does not.
    expect(deleted.status).toBe(204);
    expect((await api(stack, 'GET', 'schemas/esd_style')).status).toBe(404);
  });
});
