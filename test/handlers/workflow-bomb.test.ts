import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphBomb } from '../fixtures/workflow-bombs';
import { callApi } from '../support/api-client';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

describe('POST /executes with a subgraph bomb (issue 25)', () => {
  it('answers 400 naming MAX_PROMPT_NODES (5000 by default), invokes nothing', async () => {
    const before = harness.aws.invokeCalls.length;
    for (const dry_run of [false, true]) {
      const response = await callApi({
        method: 'POST',
        path: '/executes',
        body: { prompt: subgraphBomb(800, 400), dry_run },
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(
        "the workflow's subgraphs expand to 320001 nodes; this deployment accepts at most 5000 (MAX_PROMPT_NODES)",
      );
    }
    expect(harness.aws.invokeCalls.length).toBe(before);
  });
});
