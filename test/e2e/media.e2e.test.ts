import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { api, pollUntilFinal, startE2eStack } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 120_000);
afterAll(() => stack?.stop());

describe('end to end through HTTP: every output out', () => {
  it("reports PreviewAny's text, and file items with signed URLs, in `outputs`", async () => {
    const prompt = {
      '1': { class_type: 'PrimitiveString', inputs: { value: 'hello' } },
      '2': {
        class_type: 'StringConcatenate',
        inputs: { string_a: ['1', 0], string_b: 'world', delimiter: ', ' },
      },
      '3': { class_type: 'PreviewAny', inputs: { source: ['2', 0] } },
      '4': { class_type: 'PrimitiveFloat', inputs: { value: 2 } },
      '5': { class_type: 'PreviewAny', inputs: { source: ['4', 0] } },
      '6': { class_type: 'PrimitiveBoolean', inputs: { value: true } },
      '7': { class_type: 'PreviewAny', inputs: { source: ['6', 0] } },
      '8': { class_type: 'EmptyImage', inputs: { width: 32, height: 16, batch_size: 1, color: 0 } },
      '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'media/e2e' } },
    };
    const created = await api(stack, 'POST', 'executes', { body: { prompt } });
    expect(created.status).toBe(201);
    expect(created.body.data.outputs).toBeNull();
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    // As the real ComfyUI answers the same prompt (docs/reliability.md): str() of each value.
    expect(record.outputs['3']).toEqual({ text: ['hello, world'] });
    expect(record.outputs['5']).toEqual({ text: ['2.0'] });
    expect(record.outputs['7']).toEqual({ text: ['True'] });
    const [image] = record.outputs['9'].images;
    expect(image).toMatchObject({ filename: 'e2e_00001_.png', subfolder: 'media', type: 'output' });
    const download = await fetch(image.url);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');

    const listed = await api(stack, 'GET', 'executes?limit=5');
    const row = listed.body.data.executes.find(
      (e: { prompt_id: string }) => e.prompt_id === record.prompt_id,
    );
    expect(row.outputs['3']).toEqual({ text: ['hello, world'] });
  });
});
