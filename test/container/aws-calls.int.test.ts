import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  // Logs are silenced in tests; this file reads the container's own log line.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  // Progress flows every 100 ms; cancel_requested must be known within a second. The margin is
  // wide so that only a progress write missing for ten of its intervals (not a busy machine
  // slowing a few) makes a cancel check read the record.
  harness = await startContainerHarness({
    env: { CANCEL_POLL_MS: '1000', PROGRESS_WRITE_INTERVAL_MS: '100' },
  });
});
afterAll(async () => {
  await harness.stop();
  vi.unstubAllEnvs();
});

/** The container's `invocation answered` log line for one execute (JSON, through console.info). */
async function answeredLine(run: () => Promise<unknown>, promptId: () => string) {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'info').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  const line = lines
    .filter((text) => text.trimStart().startsWith('{'))
    .map((text) => JSON.parse(text))
    .find((entry) => entry.message === 'invocation answered' && entry.prompt_id === promptId());
  expect(line).toBeDefined();
  return line as { aws_calls: Record<string, number> };
}

describe('endpoint container: AWS calls per invocation', () => {
  it('logs the calls it made, and reads cancel_requested from its progress writes instead of polling', async () => {
    const prompt = tinyTxt2imgPrompt(3, 2000); // about 4 s of sampling at the simulator's 2 ms a step: 4 cancel checks
    const record = await harness.create({ prompt });
    const line = await answeredLine(
      async () => expect((await harness.invoke(record.prompt_path)).status).toBe(200),
      () => record.prompt_id,
    );
    const calls = line.aws_calls;
    const progressWrites = (calls['DynamoDB.UpdateItem'] ?? 0) - 1; // the first update is the claim
    expect(progressWrites).toBeGreaterThanOrEqual(3);
    // No read at all: the staged request names the owner, so the claim is one conditional write,
    // and the cancel checks meanwhile were each answered by a progress write.
    expect(calls['DynamoDB.GetItem']).toBeUndefined();
    expect(calls['S3.PutObject']).toBe(1);
    expect(Object.keys(calls).sort()).toEqual(['DynamoDB.UpdateItem', 'S3.PutObject']);
  });
});
