import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleEvent } from '../../container/src/follow-prompt';
import { tracebackTail } from '../../container/src/invocation-result';
import { relativeOutputKey, safeSegment, uniqueKey } from '../../container/src/output-keys';
import { ProgressWriter } from '../../container/src/progress-writer';
import { cachedHealth } from '../../container/src/server';

describe('output keys', () => {
  it.each([
    ['9', '', 'ComfyUI_00001_.png', '9/ComfyUI_00001_.png'],
    ['9', 'videos', 'clip.mp4', '9/videos/clip.mp4'],
    ['37:0', '', 'a.png', '37:0/a.png'],
    ['9', '../../..', '../../../escape.png', '9/escape.png'],
    ['9', '/abs/../../x', 'fine.png', '9/abs/x/fine.png'],
    ['..', '..\\..', '..\\..\\evil.png', '_/evil.png'],
    ['9', '', '..', '9/_'],
    ['9', 'a\u0000b', 'x\ny.png', '9/a_b/x_y.png'],
  ])('node %j, subfolder %j, file %j → %j', (node, subfolder, file, expected) => {
    const key = relativeOutputKey(node, subfolder, file);
    expect(key).toBe(expected);
    expect(key.split('/').every((part) => part !== '..' && part !== '.' && part !== '')).toBe(true);
  });

  it('keeps one safe segment whatever the input', () => {
    expect(safeSegment('')).toBe('_');
    expect(safeSegment(' .hidden. ')).toBe('hidden');
    expect(safeSegment('日本語.png')).toBe('日本語.png');
  });

  it('never reuses a key', () => {
    const used = new Set<string>();
    expect([uniqueKey('9/a.png', used), uniqueKey('9/a.png', used), uniqueKey('9/a.png', used)]).toEqual([
      '9/a.png',
      '9/a (1).png',
      '9/a (2).png',
    ]);
    expect(uniqueKey('9/noext', used)).toBe('9/noext');
    expect(uniqueKey('9/noext', used)).toBe('9/noext (1)');
  });
});

describe('ProgressWriter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const p = (value: number) => ({ value, max: 10, node: '3', percent: value * 10 });

  it('writes at most once per interval, newest value first, and flushes the last on stop', async () => {
    const written: number[] = [];
    const writer = new ProgressWriter(async (progress) => void written.push(progress.value), 1000);
    writer.offer(p(1));
    await vi.advanceTimersByTimeAsync(0);
    for (let value = 2; value <= 9; value++) writer.offer(p(value));
    await vi.advanceTimersByTimeAsync(500);
    expect(written).toEqual([1]);
    await vi.advanceTimersByTimeAsync(500);
    expect(written).toEqual([1, 9]);
    writer.offer(p(10));
    await writer.stop();
    expect(written).toEqual([1, 9, 10]);
    writer.offer(p(11));
    await vi.advanceTimersByTimeAsync(5000);
    expect(written).toEqual([1, 9, 10]);
  });

  it('merges what waits when told to: the node and its progress land in one write', async () => {
    const written: Record<string, unknown>[] = [];
    const writer = new ProgressWriter<Record<string, unknown>>(
      async (value) => void written.push(value),
      1000,
      () => undefined,
      (waiting, next) => ({ ...waiting, ...next }),
    );
    writer.offer({ current_node: '4' });
    await vi.advanceTimersByTimeAsync(0);
    writer.offer({ current_node: '3' });
    writer.offer({ progress: p(1) });
    writer.offer({ progress: p(2) });
    await writer.stop();
    expect(written).toEqual([{ current_node: '4' }, { current_node: '3', progress: p(2) }]);
  });

  it('reports a failed write and keeps going', async () => {
    const errors: unknown[] = [];
    const writer = new ProgressWriter(
      async () => Promise.reject(new Error('throttled')),
      100,
      (e) => errors.push(e),
    );
    writer.offer(p(1));
    await vi.advanceTimersByTimeAsync(0);
    await writer.stop();
    expect(errors).toHaveLength(1);
  });
});

describe('cachedHealth', () => {
  it('probes at most once per ttl and shares one probe among concurrent pings', async () => {
    let probes = 0;
    const healthy = cachedHealth(async () => {
      probes++;
      return true;
    }, 60_000);
    expect(await Promise.all([healthy(), healthy(), healthy()])).toEqual([true, true, true]);
    expect(await healthy()).toBe(true);
    expect(probes).toBe(1);
  });
});

describe('following events', () => {
  const options = {
    promptId: 'p1',
    timeoutMs: 1,
    cancelPollMs: 1,
    historyPollMs: 1,
    onProgress: vi.fn(),
    cancelRequested: async () => false,
  };

  it('turns progress into percent and ends on success, error, interruption or executing null', () => {
    const times = {};
    expect(
      handleEvent(
        { type: 'progress', data: { prompt_id: 'p1', value: 5, max: 20, node: '3' } },
        options,
        times,
      ),
    ).toBe(false);
    expect(options.onProgress).toHaveBeenCalledWith({ value: 5, max: 20, node: '3', percent: 25 });
    for (const type of ['execution_success', 'execution_error', 'execution_interrupted']) {
      expect(handleEvent({ type, data: { prompt_id: 'p1' } }, options, times)).toBe(true);
    }
    expect(handleEvent({ type: 'executing', data: { prompt_id: 'p1', node: null } }, options, times)).toBe(
      true,
    );
    expect(handleEvent({ type: 'execution_success', data: { prompt_id: 'other' } }, options, times)).toBe(
      false,
    );
  });

  it('reports each node ComfyUI starts on our prompt, and no other', () => {
    const onNode = vi.fn();
    const times = {};
    handleEvent({ type: 'executing', data: { prompt_id: 'p1', node: '4' } }, { ...options, onNode }, times);
    handleEvent(
      { type: 'executing', data: { prompt_id: 'other', node: '5' } },
      { ...options, onNode },
      times,
    );
    handleEvent({ type: 'executing', data: { prompt_id: 'p1', node: null } }, { ...options, onNode }, times);
    expect(onNode.mock.calls).toEqual([['4']]);
  });

  it('keeps the end of a traceback', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}\n`);
    expect(tracebackTail(lines).split('\n')).toEqual(Array.from({ length: 12 }, (_, i) => `line ${i + 18}`));
  });
});
