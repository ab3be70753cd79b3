import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/local-stack';
import { txt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, pollUntilFinal } from './local-api';

const dataDir = mkdtempSync(join(tmpdir(), 'comfy-exec-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = () => startLocalStack({ port: 0, apiKeys: [KEY_A], simStepMs: 1, dataDir });

describe('DATA_DIR', () => {
  it('keeps executes and their outputs across a restart of the local stack', async () => {
    const first = await start();
    let id: string;
    try {
      id = (await api(first, 'POST', 'executes', { body: { prompt: txt2imgPrompt(99) } })).body.data
        .prompt_id;
      expect((await pollUntilFinal(first, id)).record.status).toBe('success');
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      const again = await api(second, 'GET', `executes/${id}`);
      expect(again.body.data).toMatchObject({ prompt_id: id, status: 'success' });
      expect((await fetch(again.body.data.output_files[0])).status).toBe(200);
      expect(
        (await api(second, 'GET', 'executes')).body.data.executes.map(
          (e: { prompt_id: string }) => e.prompt_id,
        ),
      ).toContain(id);
    } finally {
      await second.stop();
    }
  });
});
