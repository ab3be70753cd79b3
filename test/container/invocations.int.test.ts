import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreCatalog } from '../../lambda/catalog/core-catalog';
import { cancelExecute } from '../../lambda/use-cases/cancel-execute';
import { txt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  harness = await startContainerHarness({
    simulator: {
      // A misbehaving custom node (node 66) reports names that try to climb out of the output folder.
      rewriteOutput: (nodeId, output) =>
        nodeId === '66'
          ? {
              images: [
                { filename: '../../../escape.png', subfolder: '../../..', type: 'output' },
                { filename: 'fine.png', subfolder: '/abs/../../x', type: 'temp' },
              ],
            }
          : output,
      viewOverride: (query) =>
        query.get('filename')?.includes('..') || query.get('subfolder')?.includes('..')
          ? Buffer.from('hostile bytes')
          : undefined,
    },
  });
});
afterAll(() => harness.stop());

/** The bytes ComfyUI (the simulator) wrote, by `type/subfolder/filename`: its folders are emptied after each run. */
const written = new Map<string, Buffer>();
beforeAll(() => {
  harness.simulator!.files.onSave = (item, bytes) =>
    written.set(`${item.type}/${item.subfolder}/${item.filename}`, bytes);
});

function twoOutputs(steps = 4) {
  const prompt: Record<string, any> = txt2imgPrompt(7);
  prompt['3'].inputs.steps = steps;
  prompt['5'].inputs = { width: 64, height: 64, batch_size: 2 };
  prompt['10'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
  return prompt;
}

async function s3Text(key: string) {
  const object = await harness.clients.s3.send(
    new GetObjectCommand({ Bucket: harness.bucketName, Key: key }),
  );
  return { contentType: object.ContentType, bytes: Buffer.from(await object.Body!.transformToByteArray()) };
}

describe('endpoint container: /ping', () => {
  it('answers 200 once ComfyUI answers and its catalog is published', async () => {
    // Publication runs beside start-up: /ping turns 200 when it has happened.
    await expect
      .poll(async () => (await fetch(`${harness.url}/ping`)).status, { timeout: 30_000, interval: 200 })
      .toBe(200);
    const { KeyCount } = await harness.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: harness.bucketName,
        Prefix: 'endpoints/comfy-async-test/object_info.json',
      }),
    );
    expect(KeyCount).toBe(1);
  });
});

describe('endpoint container: POST /invocations', () => {
  it('runs a prompt with two output nodes, uploads every file, marks the record running with progress', async () => {
    const record = await harness.create({ prompt: twoOutputs() });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      prompt_id: record.prompt_id,
      status: 'success',
      output_path: `s3://${harness.bucketName}/executes/${record.prompt_id}/outputs/`,
      output_files: ['9/ComfyUI_00001_.png', '9/ComfyUI_00002_.png'],
      temp_path: `s3://${harness.bucketName}/executes/${record.prompt_id}/temp/`,
    });
    expect(body.temp_files).toHaveLength(2);
    expect(body.outputs['9'].images[0]).toMatchObject({
      filename: 'ComfyUI_00001_.png',
      type: 'output',
      key: '9/ComfyUI_00001_.png',
    });
    expect(body.timings.total_ms).toBeGreaterThan(0);
    const image = await s3Text(`executes/${record.prompt_id}/outputs/9/ComfyUI_00001_.png`);
    expect(image.contentType).toBe('image/png');
    expect(image.bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(written.get('output//ComfyUI_00001_.png')?.equals(image.bytes)).toBe(true);
    // Stored in S3, so gone from ComfyUI's folders.
    const view = await fetch(`${harness.simulator!.url}/view?filename=ComfyUI_00001_.png&type=output`);
    expect(view.status).toBe(404);
    // The container completes the record itself as it answers: the answer's outputs, its progress kept.
    const after = await harness.untilFinal(record.prompt_id);
    expect(after).toMatchObject({
      status: 'success',
      progress: { value: 4, max: 4, node: '3', percent: 100 },
      output_files: body.output_files,
      outputs: body.outputs,
      complete_time: body.complete_time,
      message: '',
    });
    expect(after!.start_time).not.toBe('');
  });

  it("answers 400 with ComfyUI's validation error and node_errors verbatim", async () => {
    const prompt = twoOutputs();
    prompt['3'].class_type = 'KSamplerThatIsNotInstalled';
    // The edge would refuse it (its catalog has no such node): pretend the catalog said otherwise,
    // to see what the container makes of ComfyUI's own refusal.
    const record = await harness.create(
      { prompt },
      { ...coreCatalog(), KSamplerThatIsNotInstalled: coreCatalog().KSampler! },
    );
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(400);
    expect(body.status).toBe('failed');
    expect(body.error).toMatchObject({
      type: 'comfyui_validation',
      error: { type: 'missing_node_type', extra_info: { node_id: '3' } },
      node_errors: {},
    });
    expect(body.message).toMatch(/^ComfyUI refused the prompt: Node .* not found/);
  });

  it('runs only the outputs CreateExecute accepted, and reports the refused one as skipped', async () => {
    const prompt = twoOutputs();
    prompt['20'] = { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'absent.safetensors' } };
    prompt['21'] = { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['20', 2] } };
    prompt['22'] = { class_type: 'SaveImage', inputs: { images: ['21', 0], filename_prefix: 'refused' } };
    const record = await harness.create({ prompt });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    expect(body.status).toBe('success');
    expect(Object.keys(body.outputs).sort()).toEqual(['10', '9']);
    expect(body.warnings.node_errors['20']).toMatchObject({
      class_type: 'CheckpointLoaderSimple',
      dependent_outputs: ['22'],
    });
  });

  it('answers 500 with the node, exception and traceback tail of an execution_error', async () => {
    const record = await harness.create({
      prompt: twoOutputs(),
      extra_data: { simulate: { fail_node: '3' } },
    });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(500);
    expect(body.error).toMatchObject({
      type: 'execution_error',
      node_id: '3',
      node_type: 'KSampler',
      exception_type: 'torch.OutOfMemoryError',
    });
    expect(body.error.traceback).toContain('model_management.py');
    expect(body.message).toMatch(/^KSampler \(node 3\) failed: torch.OutOfMemoryError: /);
  });

  it('interrupts ComfyUI when the record gets cancel_requested, and finishes as cancelled', async () => {
    const record = await harness.create({ prompt: twoOutputs(10_000) });
    const running = harness.invoke(record.prompt_path);
    await harness.untilProgress(record.prompt_id);
    const cancelled = await cancelExecute(record.prompt_id, 'owner-a', {
      store: harness.store,
      clock: { now: () => new Date() },
    });
    expect(cancelled.cancel_requested).toBe(true);
    const { status, body } = await running;
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'cancelled', message: 'cancelled by the client while running' });
    const entry = harness.simulator!.history.get(record.prompt_id)!;
    expect(entry.status.messages.at(-1)![0]).toBe('execution_interrupted');
  });

  it('skips an execute cancelled before SageMaker delivered it, without touching ComfyUI', async () => {
    const record = await harness.create({ prompt: twoOutputs() });
    await cancelExecute(record.prompt_id, 'owner-a', {
      store: harness.store,
      clock: { now: () => new Date() },
    });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    expect(body).toMatchObject({ prompt_id: record.prompt_id, status: 'cancelled' });
    expect(harness.simulator!.history.has(record.prompt_id)).toBe(false);
    expect((await harness.store.get(record.prompt_id))!.status).toBe('cancelled');
  });

  it('echoes the staged owner in its result, so completion can write without reading the record', async () => {
    const record = await harness.create({ prompt: twoOutputs(1) });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    expect(body).toMatchObject({ prompt_id: record.prompt_id, owner: 'owner-a', status: 'success' });
  });

  it('claims a request staged without an owner (before the owner was staged) by reading the record', async () => {
    const record = await harness.create({ prompt: twoOutputs(1) });
    const { status, body } = await harness.invoke(record.prompt_path, (staged) => {
      delete staged.owner;
    });
    expect(status).toBe(200);
    expect(body.status).toBe('success');
    expect(body.owner).toBeUndefined();
    // Claimed, then completed by the container under the record's own owner.
    expect(await harness.untilFinal(record.prompt_id)).toMatchObject({ status: 'success', owner: 'owner-a' });
  });

  it('never runs a request in a record it did not create: another owner, or another body under the same id', async () => {
    // What an invocation still queued for a deleted execute finds when its prompt_id was created
    // again, by another key or with another body: another execute, which it must not run in.
    const record = await harness.create({ prompt: twoOutputs(1) });
    for (const [change, what] of [
      [
        (staged: Record<string, unknown>) => {
          staged.owner = 'another-key';
        },
        'another owner',
      ],
      [
        (staged: Record<string, unknown>) => {
          staged.request_hash = 'f'.repeat(64);
        },
        'another request',
      ],
    ] as const) {
      const { status, body } = await harness.invoke(record.prompt_path, change);
      expect(status, what).toBe(409);
      expect(body.error, what).toEqual({ type: 'not_runnable', reason: 'superseded' });
      // Nothing of the execute holding the id now: its owner appears only as this request's own.
      if (what === 'another owner') expect(JSON.stringify(body), what).not.toContain('owner-a');
      expect(await harness.store.get(record.prompt_id), what).toMatchObject({
        status: 'created',
        owner: 'owner-a',
      });
    }
    expect(harness.simulator!.history.get(record.prompt_id)).toBeUndefined();
    // Its own request still runs.
    expect((await harness.invoke(record.prompt_path)).status).toBe(200);
    expect(await harness.untilFinal(record.prompt_id)).toMatchObject({ status: 'success', owner: 'owner-a' });
  });

  it('never runs an execute twice', async () => {
    const record = await harness.create({ prompt: twoOutputs() });
    expect((await harness.invoke(record.prompt_path)).status).toBe(200);
    await harness.untilFinal(record.prompt_id);
    const again = await harness.invoke(record.prompt_path);
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ type: 'not_runnable', status: 'success' });
    // The refused second invocation leaves the first's record as it was.
    expect((await harness.store.get(record.prompt_id))!.status).toBe('success');
  });

  it('streams a large output file to S3 byte for byte', async () => {
    const prompt = twoOutputs(1);
    prompt['5'].inputs = { width: 2048, height: 2048, batch_size: 1 };
    delete prompt['10'];
    const record = await harness.create({ prompt });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    const key = `executes/${record.prompt_id}/outputs/${body.output_files[0]}`;
    const head = await harness.clients.s3.send(
      new HeadObjectCommand({ Bucket: harness.bucketName, Key: key }),
    );
    const item = body.outputs['9'].images[0];
    const view = written.get(`output//${item.filename}`)!;
    expect(view.length).toBeGreaterThan(1_000_000);
    expect(head.ContentLength).toBe(view.length);
    expect((await s3Text(key)).bytes.equals(view)).toBe(true);
  });

  it('keeps every uploaded key under the execute prefix, whatever names ComfyUI reports', async () => {
    const prompt = twoOutputs();
    prompt['66'] = { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'x' } };
    const record = await harness.create({ prompt });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    expect(body.output_files).toContain('66/escape.png');
    expect(body.temp_files).toContain('66/abs/x/fine.png');
    const { Contents } = await harness.clients.s3.send(
      new ListObjectsV2Command({ Bucket: harness.bucketName }),
    );
    const keys = (Contents ?? []).map((o) => o.Key!);
    const executeKeys = keys.filter((key) => !key.startsWith('endpoints/'));
    expect(
      executeKeys.every((key) => key.startsWith('executes/') && !key.includes('..')),
      executeKeys.join('\n'),
    ).toBe(true);
    expect(keys).toContain(`executes/${record.prompt_id}/outputs/66/escape.png`);
  });

  it('refuses a body that is not a staged request', async () => {
    const response = await fetch(`${harness.url}/invocations`, { method: 'POST', body: '[]' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.type).toBe('invalid_request');
  });
});

describe('endpoint container: object_info', () => {
  it("publishes ComfyUI's /object_info to S3 for the node catalog", async () => {
    const key = 'endpoints/comfy-async-test/object_info.json';
    for (let i = 0; i < 100; i++) {
      const { KeyCount } = await harness.clients.s3.send(
        new ListObjectsV2Command({ Bucket: harness.bucketName, Prefix: key }),
      );
      if (KeyCount) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const info = JSON.parse((await s3Text(key)).bytes.toString());
    expect(info.KSampler.input_order.required).toContain('seed');
  });
});
