import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORDED_EXTRA_DATA_BYTES } from '../../lambda/domain/execute-record';
import { CORPUS_DIR, txt2imgPrompt } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

/** A real UI export, grown past what a record holds (a big graph's workflow, as ComfyUI's frontend sends it). */
function largeWorkflow() {
  const workflow = JSON.parse(readFileSync(join(CORPUS_DIR, 'pairs/001/workflow.json'), 'utf8'));
  const notes = Array.from({ length: 60 }, (_, i) => ({
    id: 1000 + i,
    type: 'Note',
    pos: [0, i * 100],
    size: [400, 200],
    flags: {},
    order: 100 + i,
    mode: 0,
    properties: { text: '' },
    widgets_values: ['Use a 1024×1024 latent for SDXL. '.repeat(250)],
  }));
  return { ...workflow, nodes: [...workflow.nodes, ...notes] };
}

describe('extra_data too large for the record (a UI workflow in extra_pnginfo)', () => {
  it('is created, kept in the staged request, and shown whole by GetExecute', async () => {
    const extra_data = { extra_pnginfo: { workflow: largeWorkflow() }, client_id: 'ui-tab-1' };
    expect(JSON.stringify(extra_data).length).toBeGreaterThan(400 * 1024);
    const created = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: txt2imgPrompt(), extra_data },
    });
    expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201);
    const id = created.body.data.prompt_id;
    const { Item } = await harness.clients.documents.send(
      new GetCommand({ TableName: harness.tableName, Key: { prompt_id: id } }),
    );
    expect(JSON.stringify(Item!.prompt_params.extra_data).length).toBeLessThan(MAX_RECORDED_EXTRA_DATA_BYTES);
    const shown = await callApi({ method: 'GET', path: `/executes/${id}` });
    expect(shown.body.data.prompt_params.extra_data).toEqual(extra_data);
  });

  it('a small extra_data stays in the record as sent', async () => {
    const extra_data = { extra_pnginfo: { workflow: { nodes: [], links: [] } } };
    const created = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt: txt2imgPrompt(), extra_data },
    });
    const { Item } = await harness.clients.documents.send(
      new GetCommand({ TableName: harness.tableName, Key: { prompt_id: created.body.data.prompt_id } }),
    );
    expect(Item!.prompt_params.extra_data).toEqual(extra_data);
  });
  it('refuses the other fields the record keeps as sent when they are too large, with a 400 naming them', async () => {
    for (const [field, value] of [
      ['prepare_props', { note: 'x'.repeat(20 * 1024) }],
      ['client_id', 'c'.repeat(300)],
      ['workflow', `w${'a'.repeat(300)}`],
      ['webhook', { url: `https://hooks.example.com/${'p'.repeat(3000)}` }],
    ] as const) {
      const response = await callApi({
        method: 'POST',
        path: '/executes',
        body: { prompt: txt2imgPrompt(), [field]: value },
      });
      expect(response.status, field).toBe(400);
      expect(response.body.message, field).toContain(field);
    }
  });
});
