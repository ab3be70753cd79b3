import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  ComfyExecClient,
  type Execute,
  ExecuteFailedError,
  outputFiles,
  PromptValidationError,
} from '../../client/src/index';
import type { LocalStack } from '../../local/local-stack';
import { KEY_A, KEY_B, startE2eStack } from '../e2e/local-api';
import { halvesPng, invertPrompt } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';

const FIXTURES = join(import.meta.dirname, '../fixtures/embedded-workflow');
const recorded = JSON.parse(readFileSync(join(FIXTURES, 'recorded.json'), 'utf8'));

let stack: LocalStack;
let client: ComfyExecClient;
beforeAll(async () => {
  stack = await startE2eStack();
  client = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: KEY_A, retry: { minDelayMs: 10 } });
}, 60_000);
afterAll(() => stack?.stop());

/** The S3 object of a file item: its `key` is relative to the execute's output (or temp) path. */
async function s3Bytes(execute: Execute, item: { key: string; type?: string }): Promise<Buffer> {
  const base = item.type === 'temp' ? execute.temp_path : execute.output_path;
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*?)\/?$/.exec(base)!;
  const object = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${item.key}` }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** Every output file's bytes as the client downloads them, beside the S3 object's. */
async function downloadedAndStored(execute: Execute) {
  const items = Object.values(execute.outputs ?? {}).flatMap((output) =>
    Object.values(output ?? {}).flatMap((value) => (Array.isArray(value) ? value : [])),
  ) as { key: string; url: string; type?: string }[];
  return Promise.all(
    items.map(async (item) => ({
      downloaded: Buffer.from(await client.download(item.url)),
      stored: await s3Bytes(execute, item),
    })),
  ) as Promise<[{ downloaded: Buffer; stored: Buffer }, ...{ downloaded: Buffer; stored: Buffer }[]]>;
}

const rgb = (png: Buffer) => {
  const { width, height, data } = PNG.sync.read(png);
  return { width, height, first: [...data.subarray(0, 3)] };
};

describe('ComfyExecClient against the local stack', () => {
  it('runs an API prompt with changed values, reports progress, and its outputs match S3 byte for byte', async () => {
    const updates: string[] = [];
    const execute = await client.run(tinyTxt2imgPrompt(1), {
      set: { '3.seed': 42, 'KSampler.steps': 3 },
      onProgress: ({ execute }) => updates.push(execute.status),
    });
    expect(execute.status).toBe('success');
    expect(execute.prompt_params.prompt).toMatchObject({ '3': { inputs: { seed: 42, steps: 3 } } });
    expect(updates.at(-1)).toBe('success');
    const files = await downloadedAndStored(execute);
    expect(files).toHaveLength(1);
    for (const { downloaded, stored } of files) expect(downloaded.equals(stored)).toBe(true);
    expect(outputFiles(execute)).toMatchObject([{ node: '9', kind: 'images', type: 'output' }]);
  });

  it("runs the prompt a real ComfyUI embedded in its PNG, and makes that PNG's pixels", async () => {
    const png = readFileSync(join(FIXTURES, 'inverted.png'));
    const execute = await client.run(new Uint8Array(png));
    expect(execute.prompt_params.prompt).toEqual(recorded['inverted.png'].prompt);
    const [{ stored }] = await downloadedAndStored(execute);
    expect(rgb(stored)).toEqual(rgb(png));
  });

  it('runs a UI workflow, converting it on the endpoint first when values are to be changed', async () => {
    const execute = await client.run(recorded['inverted.png'].workflow, { set: { 'EmptyImage.width': 8 } });
    const [{ stored }] = await downloadedAndStored(execute);
    expect(rgb(stored)).toMatchObject({ width: 8, height: 16, first: [204, 153, 101] });
  });

  it('uploads input files named by the file the prompt uses, or by NODE.INPUT, and runs on them', async () => {
    const image = new Uint8Array(halvesPng(4, 2));
    const uploads: string[] = [];
    const byName = await client.run(invertPrompt('example.png'), {
      inputs: { 'example.png': image },
      onUpload: (input) => uploads.push(input.name),
    });
    expect(uploads).toHaveLength(1);
    expect(byName.prompt_params.prompt).toMatchObject({ '1': { inputs: { image: uploads[0] } } });
    const byNode = await client.run(invertPrompt('example.png'), {
      inputs: { image: new File([image], 'cat.png', { type: 'image/png' }) },
    });
    for (const execute of [byName, byNode]) {
      const [{ stored }] = await downloadedAndStored(execute);
      expect(rgb(stored)).toEqual({ width: 4, height: 2, first: [0, 0, 0] });
    }
    const listed = await client.listInputs();
    expect(listed.items.map((input) => input.filename)).toEqual(
      expect.arrayContaining(['cat.png', 'example.png']),
    );
    await client.deleteInput(uploads[0]!);
    expect((await client.listInputs()).items.map((input) => input.name)).not.toContain(uploads[0]);
  });

  it("refuses an invalid prompt with ComfyUI's node_errors, creating nothing", async () => {
    const prompt = tinyTxt2imgPrompt(1);
    prompt['3'].inputs.steps = 0;
    const error = await client.run(prompt, { promptId: crypto.randomUUID() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptValidationError);
    expect((error as PromptValidationError).nodeErrors['3']).toMatchObject({ class_type: 'KSampler' });
    await expect(client.dryRun({ prompt })).rejects.toThrow(PromptValidationError);
  });

  it('rejects with the failing node when the run fails, and with the record when cancelled', async () => {
    const failed = await client
      .run(tinyTxt2imgPrompt(2), { request: { extra_data: { simulate: { fail_node: '8' } } } })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ExecuteFailedError);
    expect((failed as ExecuteFailedError).execute.status).toBe('failed');
    expect(Object.keys((failed as ExecuteFailedError).nodeErrors)).toEqual(['8']);

    let created: Execute | undefined;
    const running = client.run(tinyTxt2imgPrompt(3, 400), {
      pollIntervalMs: 100,
      onCreated: (execute) => {
        created = execute;
      },
      onProgress: ({ execute }) => {
        if (execute.status === 'running') void client.cancel(execute.prompt_id);
      },
    });
    const cancelled = await running.catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(ExecuteFailedError);
    expect((cancelled as ExecuteFailedError).execute).toMatchObject({
      prompt_id: created!.prompt_id,
      status: 'cancelled',
    });
  });

  it('lists page by page, filters by status, reads logs and endpoints, deletes', async () => {
    const all: string[] = [];
    for await (const execute of client.listAll({ limit: 2 })) all.push(execute.prompt_id);
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(new Set(all).size).toBe(all.length);
    const failed = await client.list({ status: 'failed' });
    expect(failed.items.every((execute) => execute.status === 'failed')).toBe(true);
    expect(await client.endpoints()).toMatchObject([{ endpoint_status: 'InService' }]);
    expect(Array.isArray(await client.logs(all[0]!))).toBe(true);
    expect(await client.ping()).toBe(true);
    expect(await client.apiDocument()).toHaveProperty('openapi', '3.1.0');
    await client.delete([all[0]!]);
    await expect(client.get(all[0]!)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps each key to its own executes, and says when a key is wrong', async () => {
    const [mine] = (await client.list({ limit: 1 })).items;
    const other = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: KEY_B });
    await expect(other.get(mine!.prompt_id)).rejects.toMatchObject({ status: 404 });
    const wrong = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: 'not-a-key' });
    const error = await wrong.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, message: 'Ping: HTTP 403 Forbidden' });
  });

  it('uploads a model to the library in parts, lists and deletes it (model writers)', async () => {
    const bytes = new Uint8Array(6 * 1024 * 1024).map((_, i) => i % 251);
    const stored = await client.uploadModel(new Blob([bytes]), {
      folder: 'loras',
      name: 'client/test.safetensors',
    });
    expect(stored).toMatchObject({ folder: 'loras', name: 'client/test.safetensors', size: bytes.length });
    const listed = await client.listModels({ folder: 'loras' });
    expect(listed.items.map((model) => model.name)).toContain('client/test.safetensors');
    await client.deleteModel('loras', 'client/test.safetensors');
    expect((await client.listModels({ folder: 'loras' })).items.map((m) => m.name)).not.toContain(
      'client/test.safetensors',
    );
  });
});
