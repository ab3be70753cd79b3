import { describe, expect, it } from 'vitest';
import { runBounded } from '../../../lambda/platform/run-bounded';

describe('runBounded', () => {
  it('runs every index once, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await runBounded(10, 3, async (index) => {
      running++;
      most = Math.max(most, running);
      await Promise.resolve();
      seen.push(index);
      running--;
    });
    expect(most).toBe(3);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('after a failure starts nothing new, lets those under way end, and throws the first failure', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = runBounded(6, 2, async (index) => {
      started.push(index);
      if (index === 0) throw new Error('first');
      if (index === 1) {
        await held;
        ended.push(index);
        throw new Error('second');
      }
    });
    await Promise.resolve();
    release();
    await expect(run).rejects.toThrow('first');
    expect(started).toEqual([0, 1]);
    expect(ended).toEqual([1]);
  });

  it('does nothing for no work', async () => {
    await expect(runBounded(0, 4, async () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });
});
