import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Uri } from '../../lambda/adapters/s3-uri';
import { seed004UiWorkflow } from '../e2e/seed-prompts';
import { CORPUS_DIR, tinyTxt2imgPrompt } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

/** Seed 004 with a checkpoint the endpoint has (the seed names a FLUX file it lacks). */
function runnableWorkflow() {
  const workflow = seed004UiWorkflow();
  workflow.nodes.find((node: { type: string }) => node.type === 'CheckpointLoaderSimple').widgets_values = [
    'v1-5-pruned-emaonly.safetensors',
  ];
  return workflow;
}

const EXPECTED_KSAMPLER = {
  seed: 204210925130000,
  steps: 20,
  cfg: 8,
  sampler_name: 'euler',
  scheduler: 'normal',
  denoise: 1,
  model: ['4', 0],
  positive: ['6', 0],
  negative: ['7', 0],
  latent_image: ['5', 0],
};

describe('POST /executes with a UI workflow (seed 004)', () => {
  it('refuses seed 004 as posted, before any GPU time: the endpoint lacks its checkpoint (value_not_in_list)', async () => {
    const before = harness.aws.invokeCalls.length;
    const response = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: seed004UiWorkflow() },
    });
    expect(response.status).toBe(400);
    expect(response.body.data.node_errors['4'].errors[0]).toMatchObject({
      type: 'value_not_in_list',
      details: expect.stringContaining("ckpt_name: 'FLUX\\flux1-dev-fp8.safetensors' not in"),
    });
    expect(response.body.message).toMatch(/^Prompt outputs failed validation: 1 error in node 4/);
    // Only a dry run echoes the prompt: a create's 400 stays ComfyUI's {error, node_errors}.
    expect(Object.keys(response.body.data).sort()).toEqual(['error', 'node_errors']);
    expect(harness.aws.invokeCalls.length).toBe(before);
  });

  it('converts it to the API prompt ComfyUI runs, keeps the original workflow beside the request', async () => {
    const response = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: runnableWorkflow() },
    });
    expect(response.status).toBe(201);
    const data = response.body.data;
    expect(data.prompt_params.prompt['3']).toEqual({
      inputs: EXPECTED_KSAMPLER,
      class_type: 'KSampler',
      _meta: { title: 'KSampler' },
    });
    expect(Object.keys(data.prompt_params.prompt).sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
    const { bucket, key } = parseS3Uri(data.workflow_path);
    const stored = await harness.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual(runnableWorkflow());
    // ComfyUI gets the workflow as its frontend sends it, for SaveImage to embed in each PNG;
    // the record keeps the client's own extra_data.
    const request = parseS3Uri(data.prompt_path);
    const staged = await harness.clients.s3.send(
      new GetObjectCommand({ Bucket: request.bucket, Key: request.key }),
    );
    const sent = JSON.parse(await staged.Body!.transformToString());
    expect(sent.extra_data).toEqual({ extra_pnginfo: { workflow: runnableWorkflow() } });
    expect(data.prompt_params.extra_data).toBeNull();
  });

  it('dry_run converts and validates, and stores nothing', async () => {
    const before = harness.aws.invokeCalls.length;
    const response = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: runnableWorkflow(), dry_run: true },
    });
    expect(response.status).toBe(200);
    expect(response.body.data.prompt['3'].inputs).toEqual(EXPECTED_KSAMPLER);
    expect(response.body.data.warnings).toContain('converted from a UI workflow');
    expect(harness.aws.invokeCalls.length).toBe(before);
    const refused = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: seed004UiWorkflow(), dry_run: true },
    });
    expect(refused.status).toBe(400);
  });

  it('a refused dry run answers the converted prompt its node_errors name, so a client can fix it', async () => {
    const refused = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: seed004UiWorkflow(), dry_run: true },
    });
    expect(refused.status).toBe(400);
    const { prompt, node_errors, error } = refused.body.data;
    expect(error.type).toBe('prompt_outputs_failed_validation');
    expect(node_errors['4'].errors[0].extra_info.input_name).toBe('ckpt_name');
    expect(prompt['4']).toMatchObject({
      class_type: 'CheckpointLoaderSimple',
      inputs: { ckpt_name: 'FLUX\\flux1-dev-fp8.safetensors' },
    });
    expect(prompt['3'].inputs).toEqual(EXPECTED_KSAMPLER);
    // Fixing the named input in the answered prompt is all it takes.
    prompt['4'].inputs.ckpt_name = 'v1-5-pruned-emaonly.safetensors';
    const fixed = await callApi({ method: 'POST', path: '/executes', body: { prompt, dry_run: true } });
    expect(fixed.status).toBe(200);
  });

  it('names the node it cannot convert, never guesses', async () => {
    const workflow = runnableWorkflow();
    workflow.nodes.push({
      id: 99,
      type: 'SomeCustomSampler',
      mode: 0,
      inputs: [],
      widgets_values: [1, 2, 'x'],
    });
    const response = await callApi({ method: 'POST', path: '/executes', body: { prompt: workflow } });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(
      /^node 99 \(SomeCustomSampler\) is not in the endpoint's node catalog/,
    );
    expect(response.body.data).toEqual({ node_id: '99' });
  });

  it('expands a subgraph workflow (recent editors) and validates the inner nodes under their queued ids', async () => {
    const workflow = JSON.parse(
      readFileSync(join(CORPUS_DIR, 'ui', 'rvion__comfy-ts__01_get_started_text_to_image.json'), 'utf8'),
    );
    const response = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: workflow, dry_run: true },
    });
    expect(response.status).toBe(200);
    const prompt = response.body.data.prompt;
    expect(Object.keys(prompt).sort()).toEqual(
      ['60', '104:85', '104:86', '104:87', '104:88', '104:89', '104:90', '104:91', '104:92', '104:93'].sort(),
    );
    expect(prompt['60'].inputs.images).toEqual(['104:88', 0]);
    expect(response.body.data.node_errors).toEqual({});
    // An inner node's bad value is reported under the id ComfyUI would use for it.
    workflow.definitions.subgraphs[0].nodes.find((node: { id: number }) => node.id === 89).widgets_values[0] =
      'missing.safetensors';
    const refused = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: workflow, dry_run: true },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.data.node_errors['104:89'].errors[0]).toMatchObject({
      type: 'value_not_in_list',
      details: expect.stringContaining("unet_name: 'missing.safetensors' not in"),
    });
  });

  it('carries a 64-bit seed exactly, as ComfyUI allows: into the staged request, its workflow and GetExecute', async () => {
    const BIG = '18446744073709551615'; // 2^64-1: JSON.parse would make it 18446744073709552000
    const workflow = runnableWorkflow();
    const sampler = workflow.nodes.find((node: { type: string }) => node.type === 'KSampler');
    sampler.widgets_values[0] = 424242;
    const text = JSON.stringify({ prompt: workflow }).replace('[424242,', `[${BIG},`);
    expect(text).toContain(BIG);
    const created = await callApi({ method: 'POST', path: '/executes', rawBody: text });
    expect(created.status).toBe(201);
    const data = created.body.data;
    const read = async (uri: string) => {
      const { bucket, key } = parseS3Uri(uri);
      const object = await harness.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body!.transformToString();
    };
    const staged = await read(data.prompt_path);
    // What the container sends ComfyUI: the seed input and the workflow ComfyUI embeds in the PNG.
    expect(staged).toContain(`"seed":${BIG}`);
    expect(staged).toContain(`"widgets_values":[${BIG},`);
    expect(await read(data.workflow_path)).toContain(`[${BIG},`);
    const got = await callApi({ method: 'GET', path: `/executes/${data.prompt_id}` });
    expect(got.status).toBe(200);
    expect(got.text).toContain(`"seed":${BIG}`);
    // Past ComfyUI's range: refused before any GPU time, named exactly.
    const over = await callApi({
      method: 'POST',
      path: '/executes',
      rawBody: text.replace(`[${BIG},`, '[18446744073709551616,'),
    });
    expect(over.status).toBe(400);
    expect(over.text).toContain('Value 18446744073709551616 bigger than max of 18446744073709551615');
  });
});

describe('numbers past 2^53-1 outside a seed: exact, or refused with a 400 naming the field, never a 500', () => {
  const tiny = () => JSON.stringify(tinyTxt2imgPrompt(1));

  it('refuses them in prepare_props (the record cannot keep them), and in a link as its output index', async () => {
    const props = await callApi({
      method: 'POST',
      path: '/executes',
      rawBody: `{"prompt":${tiny()},"prepare_props":{"p":12345678901234567890}}`,
    });
    expect(props.status).toBe(400);
    expect(props.body.message).toMatch(/prepare_props.*past 2\^53-1/);
    const link = await callApi({
      method: 'POST',
      path: '/executes',
      rawBody: `{"prompt":${tiny().replace('"model":["4",0]', '"model":["4",12345678901234567890]')}}`,
    });
    expect(link.status).toBe(400);
    expect(link.text).toContain('12345678901234567890');
  });

  it('refuses a queue number the record could not keep (1e21 could not even be read back), and keeps one sent as a string', async () => {
    for (const number of ['1e21', '-1e200', '9007199254740992', '1e-200', '-5e-324']) {
      const refused = await callApi({
        method: 'POST',
        path: '/executes',
        rawBody: `{"prompt":${tiny()},"number":${number}}`,
      });
      expect(refused.status, number).toBe(400);
      expect(refused.body.message).toMatch(/number.*(2\^53-1|9007199254740991|1e-130)/);
    }
    const kept = await callApi({
      method: 'POST',
      path: '/executes',
      rawBody: `{"prompt":${tiny()},"number":"1e21"}`,
    });
    expect(kept.status).toBe(201);
    const got = await callApi({ method: 'GET', path: `/executes/${kept.body.data.prompt_id}` });
    expect(got.body.data.prompt_params.number).toBe('1e21');
  });

  it('keeps them exact in extra_data and in float form in the prompt: created, and answered as sent', async () => {
    // 1e-200: DynamoDB's underflow; a valid denoise for ComfyUI, so the prompt stays in S3 too.
    const body = `{"prompt":${tiny().replace('"seed":1,', '"seed":1e16,').replace('"denoise":1', '"denoise":1e-200')},"extra_data":{"big":12345678901234567890,"f":1e300,"tiny":1e-200}}`;
    const created = await callApi({ method: 'POST', path: '/executes', rawBody: body });
    expect(created.status).toBe(201);
    const got = await callApi({ method: 'GET', path: `/executes/${created.body.data.prompt_id}` });
    expect(got.status).toBe(200);
    expect(got.text).toContain('"big":12345678901234567890');
    expect(got.text).toContain('"seed":10000000000000000');
    expect(got.text).toContain('"denoise":1e-200');
    expect(got.text).toContain('"tiny":1e-200');
    // ComfyUI's own view of it (the queue's tuple holds the prompt and extra_data) agrees.
    const queue = await callApi({ method: 'GET', path: '/comfyui/queue' });
    expect(queue.status).toBe(200);
    const mine = (queue.body.queue_pending as unknown[][]).findIndex(
      (item) => item[1] === created.body.data.prompt_id,
    );
    expect(mine).toBeGreaterThanOrEqual(0);
    expect(queue.text).toContain('"big":12345678901234567890');
  });
});
