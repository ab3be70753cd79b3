import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { txt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  harness = await startContainerHarness({ comfyUrl: `http://127.0.0.1:${await freePort()}` });
});
afterAll(() => harness.stop());

describe('endpoint container with ComfyUI down', () => {
  it('answers /ping with 503 within SageMaker’s 2 s probe', async () => {
    const started = Date.now();
    expect((await fetch(`${harness.url}/ping`, { signal: AbortSignal.timeout(2000) })).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails the invocation cleanly, saying ComfyUI is unreachable', async () => {
    const record = await harness.create({ prompt: txt2imgPrompt() });
    const { status, body } = await harness.invoke(record.prompt_path);
    expect(status, JSON.stringify(body)).toBe(502);
    expect(body).toMatchObject({
      prompt_id: record.prompt_id,
      status: 'failed',
      error: { type: 'comfyui_unreachable' },
    });
    expect(body.message).toMatch(/ComfyUI at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
  });
});
