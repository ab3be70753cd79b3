import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComfyExecClient } from '../../client/src/client';
import { readEmbeddedWorkflow } from '../../client/src/embedded/embedded-workflow';
import type { LocalStack } from '../../local/local-stack';
import { api, pollUntilFinal, startE2eStack } from '../e2e/local-api';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { pngChunks } from '../support/media-containers';

/**
 * An image saved through `npm start` carries what ComfyUI's SaveImage embeds: the prompt it ran and
 * the editor's workflow (`extra_data.extra_pnginfo.workflow`), as tEXt chunks `prompt` then
 * `workflow`, so the PNG can be dropped back into ComfyUI or given to `comfy-exec run`.
 */
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
const workflow = JSON.parse(readFileSync(join(CORPUS, 'pairs/001/workflow.json'), 'utf8'));

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 120_000);
afterAll(() => stack?.stop());

describe('the local stack: images saved as ComfyUI saves them', () => {
  it('SaveImage output carries the prompt and the posted workflow as tEXt chunks, prompt first', async () => {
    const prompt = {
      '5': {
        class_type: 'EmptyImage',
        inputs: { width: 16, height: 8, batch_size: 1, color: 3368601 },
        _meta: { title: 'Empty Image' },
      },
      '9': { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'embedded/e2e' } },
    };
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt, extra_data: { extra_pnginfo: { workflow } } },
    });
    expect(created.status).toBe(201);
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    const download = await fetch(record.outputs['9'].images[0].url);
    const png = Buffer.from(await download.arrayBuffer());
    const texts = pngChunks(png).filter((chunk) => chunk.type === 'tEXt');
    expect(texts.map((chunk) => chunk.data.toString('latin1').split('\0')[0])).toEqual([
      'prompt',
      'workflow',
    ]);
    const embedded = await readEmbeddedWorkflow(png);
    // The prompt ComfyUI ran: the container gives each output node the execute's id, so that
    // ComfyUI's cache cannot answer it with an earlier execute's files (container/src/comfy-output-files.ts).
    const ran = structuredClone(prompt) as typeof prompt & { '9': { inputs: Record<string, unknown> } };
    ran['9'].inputs.comfy_exec_run = record.prompt_id;
    expect(embedded.prompt).toEqual(ran);
    expect(embedded.workflow).toEqual(workflow);
  });

  it('a 64-bit seed reaches ComfyUI exactly: the PNG embeds the digits the client sent, and GetExecute answers them', async () => {
    const client = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: stack.apiKeys[0]! });
    const prompt = tinyTxt2imgPrompt(1) as Record<string, any>;
    prompt['3'].inputs.seed = 0xffffffffffffffffn; // 18446744073709551615: JSON.parse would make it …552000
    const execute = await client.run(prompt as never);
    expect(execute.status).toBe('success');
    expect(((await client.get(execute.prompt_id)).prompt_params.prompt as any)['3'].inputs.seed).toBe(
      0xffffffffffffffffn,
    );
    const png = Buffer.from(await (await fetch(execute.output_files[0]!)).arrayBuffer());
    const text = pngChunks(png).find((chunk) => chunk.data.toString('latin1').startsWith('prompt\0'))!;
    expect(text.data.toString('latin1')).toContain('"seed": 18446744073709551615,');
    expect((await readEmbeddedWorkflow(png)).prompt!['3']!.inputs.seed).toBe(0xffffffffffffffffn);
  });
});
