import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';
import { halvesPng, inversionProblem, maskedCompositePrompt } from '../fixtures/media';
import { txt2imgPrompt } from '../fixtures/prompts';
import { WsRecorder } from '../support/ws-recorder';

let sim: ComfyUiSimulator;
beforeAll(async () => {
  sim = await startComfyUiSimulator({ stepMs: 2 });
});
afterAll(() => sim.stop());

async function post(path: string, body: unknown) {
  const response = await fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}
const get = async (path: string) => (await fetch(`${sim.url}${path}`)).json() as Promise<any>;

function twoOutputs(seed = 1) {
  const prompt: Record<string, any> = txt2imgPrompt(seed);
  prompt['3'].inputs.steps = 3;
  prompt['5'].inputs = { width: 64, height: 48, batch_size: 1 };
  prompt['10'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
  return prompt;
}

async function runToEnd(prompt: unknown, extra: Record<string, unknown> = {}) {
  const clientId = crypto.randomUUID();
  const ws = await WsRecorder.open(sim.url, clientId);
  const promptId = crypto.randomUUID();
  const submitted = await post('/prompt', { prompt, prompt_id: promptId, client_id: clientId, ...extra });
  expect(submitted.status).toBe(200);
  await ws.waitFor(
    (e) =>
      ['execution_success', 'execution_error', 'execution_interrupted'].includes(e.type) &&
      e.data.prompt_id === promptId,
  );
  ws.close();
  return { promptId, events: ws.events, history: (await get(`/history/${promptId}`))[promptId] };
}

describe('ComfyUI simulator: HTTP API', () => {
  it('answers /system_stats and /object_info with the core catalog', async () => {
    expect((await get('/system_stats')).devices).toHaveLength(1);
    const info = await get('/object_info');
    expect(info.KSampler.input_order.required[0]).toBe('model');
    expect(Object.keys(await get('/object_info/SaveImage'))).toEqual(['SaveImage']);
    expect(await get('/object_info/NoSuchNode')).toEqual({});
  });

  it('validates like ComfyUI: missing_node_type, required_input_missing, bad_linked_input, prompt_no_outputs', async () => {
    const unknown = await post('/prompt', {
      prompt: { ...twoOutputs(), '11': { class_type: 'Nope', inputs: {} } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      type: 'missing_node_type',
      extra_info: { node_id: '11', class_type: 'Nope' },
    });

    const broken = twoOutputs();
    delete broken['3'].inputs.steps;
    broken['8'].inputs.vae = ['99', 0];
    const invalid = await post('/prompt', { prompt: broken });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.type).toBe('prompt_outputs_failed_validation');
    expect(invalid.body.node_errors['3'].errors[0]).toMatchObject({
      type: 'required_input_missing',
      details: 'steps',
    });
    expect(invalid.body.node_errors['8'].errors[0]).toMatchObject({
      type: 'bad_linked_input',
      extra_info: { input_name: 'vae' },
    });
    expect(invalid.body.node_errors['8'].dependent_outputs.sort()).toEqual(['10', '9']);

    const mismatch = twoOutputs();
    mismatch['8'].inputs.vae = ['4', 0];
    expect((await post('/prompt', { prompt: mismatch })).body.node_errors['8'].errors[0].type).toBe(
      'return_type_mismatch',
    );

    const noOutputs = twoOutputs();
    delete noOutputs['9'];
    delete noOutputs['10'];
    expect((await post('/prompt', { prompt: noOutputs })).body.error.type).toBe('prompt_no_outputs');
    expect((await post('/prompt', { prompt: twoOutputs(), prompt_id: 'not-a-uuid' })).body.error.type).toBe(
      'invalid_prompt_id',
    );
    expect((await post('/prompt', {})).body.error.type).toBe('no_prompt');
  });

  it('returns {} from /history while a prompt is pending, like an unknown id', async () => {
    const slow = twoOutputs();
    slow['3'].inputs.steps = 50;
    const { body } = await post('/prompt', { prompt: slow });
    expect(await get(`/history/${body.prompt_id}`)).toEqual({});
    expect((await get('/queue')).queue_running[0][1]).toBe(body.prompt_id);
    await post('/interrupt', { prompt_id: body.prompt_id });
  });
});

describe('ComfyUI simulator: execution', () => {
  it('sends the real event sequence to the prompt client and records history', async () => {
    const { promptId, events, history } = await runToEnd(twoOutputs());
    expect(events[0]!.type).toBe('status');
    // status frames (queue changes) are broadcast in between; the prompt's own sequence:
    const own = events.filter((e) => e.type !== 'status');
    const types = own.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['execution_start', 'execution_cached']);
    expect(events.filter((e) => e.type === 'progress').map((e) => e.data)).toEqual(
      [1, 2, 3].map((value) => ({ value, max: 3, prompt_id: promptId, node: '3' })),
    );
    expect(
      events
        .filter((e) => e.type === 'executed')
        .map((e) => e.data.node)
        .sort(),
    ).toEqual(['10', '9']);
    // As ComfyUI's worker: the outcome, the queue size, then `executing` with node null.
    expect(types.slice(-2)).toEqual(['execution_success', 'executing']);
    expect(own.at(-1)!.data).toEqual({ node: null, prompt_id: promptId });
    expect(events.slice(-2).map((e) => e.type)).toEqual(['status', 'executing']);
    const executingOrder = events
      .filter((e) => e.type === 'executing' && e.data.node)
      .map((e) => e.data.node);
    expect(executingOrder.indexOf('3')).toBeGreaterThan(executingOrder.indexOf('5'));
    expect(executingOrder.indexOf('8')).toBeGreaterThan(executingOrder.indexOf('3'));

    expect(history.status).toMatchObject({ status_str: 'success', completed: true });
    expect(history.status.messages.map((m: [string]) => m[0])).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    expect(history.prompt[1]).toBe(promptId);
    expect(history.prompt[4].sort()).toEqual(['10', '9']);
    expect(history.outputs['9'].images[0]).toMatchObject({
      filename: expect.stringMatching(/^ComfyUI_\d{5}_\.png$/),
      subfolder: '',
      type: 'output',
    });
    expect(history.outputs['10'].images[0]).toMatchObject({
      type: 'temp',
      // PreviewImage's suffix: five of ComfyUI's letters (random.choice of "abcdefghijklmnopqrstupvxyz").
      filename: expect.stringMatching(/^ComfyUI_temp_[a-vx-z]{5}_\d{5}_\.png$/),
    });
    expect(history.meta['9']).toEqual({
      node_id: '9',
      display_node: '9',
      parent_node: null,
      real_node_id: '9',
    });
  });

  it('writes real PNGs sized by EmptyLatentImage, identical for identical prompts', async () => {
    const first = await runToEnd(twoOutputs(42));
    const second = await runToEnd(twoOutputs(42));
    const other = await runToEnd(twoOutputs(43));
    const bytes = async (entry: any) => {
      const image = entry.outputs['9'].images[0];
      const response = await fetch(`${sim.url}/view?filename=${image.filename}&subfolder=&type=output`);
      expect(response.headers.get('content-type')).toBe('image/png');
      return Buffer.from(await response.arrayBuffer());
    };
    const a = await bytes(first.history);
    expect(PNG.sync.read(a)).toMatchObject({ width: 64, height: 48 });
    expect((await bytes(second.history)).equals(a)).toBe(true);
    expect((await bytes(other.history)).equals(a)).toBe(false);
  });

  it('sizes pictures after a loaded input image', async () => {
    const prompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'example.png' } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'loaded' } },
    };
    const { history } = await runToEnd(prompt);
    const image = history.outputs['2'].images[0];
    const png = Buffer.from(
      await (await fetch(`${sim.url}/view?filename=${image.filename}&type=output`)).arrayBuffer(),
    );
    expect(PNG.sync.read(png)).toMatchObject({ width: 768, height: 512 });
  });

  it('raises a realistic execution_error on extra_data.simulate.fail_node', async () => {
    const { events, history } = await runToEnd(twoOutputs(), {
      extra_data: { simulate: { fail_node: '3' } },
    });
    const error = events.find((e) => e.type === 'execution_error')!.data;
    expect(error).toMatchObject({
      node_id: '3',
      node_type: 'KSampler',
      exception_type: 'torch.OutOfMemoryError',
    });
    expect(error.traceback.length).toBeGreaterThan(1);
    expect(error.executed).toEqual(expect.arrayContaining(['4', '5']));
    expect(history.status).toMatchObject({ status_str: 'error', completed: false });
    expect(history.status.messages.at(-1)[0]).toBe('execution_error');
  });

  it('stops on POST /interrupt with the prompt id and reports execution_interrupted', async () => {
    const slow = twoOutputs();
    slow['3'].inputs.steps = 500;
    const clientId = crypto.randomUUID();
    const ws = await WsRecorder.open(sim.url, clientId);
    const { body } = await post('/prompt', { prompt: slow, client_id: clientId });
    await ws.waitFor((e) => e.type === 'progress' && e.data.prompt_id === body.prompt_id);
    await post('/interrupt', { prompt_id: body.prompt_id });
    const interrupted = await ws.waitFor((e) => e.type === 'execution_interrupted');
    expect(interrupted.data).toMatchObject({
      prompt_id: body.prompt_id,
      node_id: '3',
      node_type: 'KSampler',
    });
    expect((await get(`/history/${body.prompt_id}`))[body.prompt_id].status.status_str).toBe('error');
    ws.close();
  });

  it('guards /view like ComfyUI: 400 for .., 403 for an escaping subfolder, 404 when missing', async () => {
    expect((await fetch(`${sim.url}/view?filename=../x.png&type=output`)).status).toBe(400);
    expect((await fetch(`${sim.url}/view?filename=x.png&subfolder=../../etc&type=output`)).status).toBe(403);
    expect((await fetch(`${sim.url}/view?filename=missing.png&type=output`)).status).toBe(404);
  });
});

describe('ComfyUI simulator: files in the input folder', () => {
  const put = (relative: string, bytes: Buffer) => {
    const path = join(sim.files.dir('input'), relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  };

  it("answers missing files exactly as the real server does (ComfyUI a125cd84's answer, recorded)", async () => {
    const answer = await post('/prompt', {
      prompt: {
        '1': { class_type: 'LoadImage', inputs: { image: 'nope.png' } },
        '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 't' } },
        '3': { class_type: 'LoadAudio', inputs: { audio: 'nope.wav' } },
        '4': { class_type: 'SaveAudio', inputs: { audio: ['3', 0], filename_prefix: 'a' } },
        '7': { class_type: 'LoadVideo', inputs: { file: 'nope.mp4' } },
        '8': {
          class_type: 'SaveVideo',
          inputs: { video: ['7', 0], filename_prefix: 'v', format: 'auto', codec: 'auto' },
        },
        // LoadLatent's VALIDATE_INPUTS opens the name as a path instead of checking its list.
        '11': { class_type: 'LoadLatent', inputs: { latent: 'nope.latent' } },
        '12': { class_type: 'SaveLatent', inputs: { samples: ['11', 0], filename_prefix: 'l' } },
      },
    });
    expect(answer.status).toBe(400);
    const errors = Object.fromEntries(
      Object.entries(answer.body.node_errors).map(([id, entry]: [string, any]) => [id, entry.errors]),
    );
    const failed = (input: string, details: string) => [
      {
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details,
        extra_info: { input_name: input },
      },
    ];
    expect(errors).toEqual({
      '1': failed('image', 'image - Invalid image file: nope.png'),
      '3': failed('audio', 'audio - Invalid audio file: nope.wav'),
      '7': failed('file', 'file - Invalid video file: nope.mp4'),
      '11': failed('latent', 'latent - Invalid latent file: nope.latent'),
    });
  });

  it('finds files in subfolders and with the [input] annotation, and (as the real server) through ..', async () => {
    put('comfy-exec/abc/cat.png', halvesPng(6, 4));
    const load = (image: string) => ({
      '1': { class_type: 'LoadImage', inputs: { image } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'sub' } },
    });
    expect((await post('/prompt', { prompt: load('comfy-exec/abc/cat.png') })).status).toBe(200);
    expect((await post('/prompt', { prompt: load('comfy-exec/abc/cat.png [input]') })).status).toBe(200);
    expect((await post('/prompt', { prompt: load('comfy-exec/abc/cat.png [output]') })).status).toBe(400);
    // ComfyUI a125cd84 answers 200 here too: the control plane is what refuses such names.
    expect((await post('/prompt', { prompt: load('../input/comfy-exec/abc/cat.png') })).status).toBe(200);
  });

  it('composites with a mask as ImageCompositeMasked does: the source exactly where the mask is set', async () => {
    put('room.png', halvesPng(12, 8));
    put('mask.png', halvesPng(12, 8, { red: true }));
    const { history } = await runToEnd(maskedCompositePrompt('room.png', 'mask.png'));
    const [item] = history.outputs['3'].images;
    const bytes = await (
      await fetch(`${sim.url}/view?filename=${item.filename}&subfolder=&type=output`)
    ).arrayBuffer();
    expect(inversionProblem(Buffer.from(bytes), halvesPng(12, 8), (x) => x >= 6)).toBeUndefined();
  });
});

describe('ComfyUI simulator: model files', () => {
  const lora = (name: string) => ({
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '2': {
      class_type: 'LoraLoaderModelOnly',
      inputs: { model: ['1', 0], lora_name: name, strength_model: 1 },
    },
    '3': { class_type: 'PreviewAny', inputs: { source: ['2', 0] } },
  });

  it('refuses a model in neither its list nor on its disk, as ComfyUI does, and takes one that appears on disk', async () => {
    const refused = await post('/prompt', { prompt: lora('fresh.safetensors') });
    expect(refused.status).toBe(400);
    expect(refused.body.node_errors['2'].errors[0]).toMatchObject({
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: expect.stringMatching(/^lora_name: 'fresh\.safetensors' not in \[/),
    });
    mkdirSync(join(sim.files.modelsDir, 'loras'), { recursive: true });
    writeFileSync(join(sim.files.modelsDir, 'loras', 'fresh.safetensors'), 'weights');
    expect((await post('/prompt', { prompt: lora('fresh.safetensors') })).status).toBe(200);
  });
});
