import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  // A busy ComfyUI: its worker starts the prompt before the HTTP answer to POST /prompt leaves.
  harness = await startContainerHarness({ simulator: { answerAfterStartMs: 40, stepMs: 5 } });
});
afterAll(() => harness.stop());

describe('websocket events that come before the answer to POST /prompt', () => {
  it('are kept: every node ComfyUI started is in the record, the first one included', async () => {
    const prompt = txt2imgPrompt(3);
    const record = await harness.create({ prompt });
    const { status } = await harness.invoke(record.prompt_path);
    expect(status).toBe(200);
    const after = await harness.store.get(record.prompt_id);
    expect(new Set(after!.started_nodes)).toEqual(new Set(Object.keys(prompt)));
    expect(after!.started_nodes).toHaveLength(Object.keys(prompt).length);
  });
});
