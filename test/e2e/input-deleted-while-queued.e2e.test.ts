import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { halvesPng } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, pollUntilFinal, startE2eStack } from './local-api';

/**
 * Issue 26: an execute still queued when its caller deletes the uploaded input it reads must run
 * all the same (before, the container's fetch of the deleted object failed the execute).
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack({ invocationTimeoutSeconds: 60 });
});
afterAll(() => stack?.stop());

async function waitForStatus(promptId: string, wanted: string) {
  for (;;) {
    const { body } = await api(stack, 'GET', `executes/${promptId}`);
    if (body.data.status === wanted) return;
    if (['success', 'failed', 'cancelled'].includes(body.data.status))
      throw new Error(`${promptId} ended ${body.data.status} before ${wanted}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('an uploaded input deleted while its execute is queued', () => {
  it('does not fail the execute: it reads its own copy, made at create', async () => {
    const bytes = halvesPng(6, 4);
    const created = await api(stack, 'POST', 'inputs', {
      body: { filename: 'cat.png', content_type: 'image/png', size: bytes.length },
    });
    const { upload, name } = created.body.data;
    expect(
      (await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes })).status,
    ).toBe(200);

    // One execute runs at a time locally: a long one first keeps the second queued.
    const blocker = (await api(stack, 'POST', 'executes', { body: { prompt: tinyTxt2imgPrompt(1, 2000) } }))
      .body.data.prompt_id;
    await waitForStatus(blocker, 'running');
    const prompt = {
      '1': { class_type: 'LoadImage', inputs: { image: name } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'kept' } },
    };
    const queued = (await api(stack, 'POST', 'executes', { body: { prompt } })).body.data.prompt_id;
    expect((await api(stack, 'DELETE', `inputs/${name}`)).status).toBe(204);
    expect((await api(stack, 'GET', `executes/${queued}`)).body.data.status).toBe('created');
    await api(stack, 'POST', `executes/${blocker}/cancel`);

    const { record } = await pollUntilFinal(stack, queued);
    expect(record.status).toBe('success');
    const saved = PNG.sync.read(Buffer.from(await (await fetch(record.output_files[0])).arrayBuffer()));
    expect([saved.width, saved.height]).toEqual([6, 4]);
  });
});
