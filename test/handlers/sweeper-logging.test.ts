import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as sweeper } from '../../lambda/handlers/sweeper';
import { logger } from '../../lambda/platform/powertools';
import { startHandlerHarness } from './harness';

/**
 * The sweeper runs every 10 s locally (every few minutes deployed): a run that settles nothing
 * must not add a line at INFO, or the log is mostly "found nothing" (issue 27).
 */
let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness?.stop());

describe('Sweeper logging', () => {
  it('says nothing at INFO or above when there is nothing to settle, only at DEBUG', async () => {
    const spies = (['info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(logger, level));
    try {
      await sweeper();
      const [info, warn, error, debug] = spies;
      expect([info!.mock.calls, warn!.mock.calls, error!.mock.calls]).toEqual([[], [], []]);
      expect(debug!.mock.calls).toEqual([['sweeper found nothing to settle', { examined: 0 }]]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
