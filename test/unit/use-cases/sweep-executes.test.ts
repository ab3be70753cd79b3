import { describe, expect, it } from 'vitest';
import { sweepExecutes } from '../../../lambda/use-cases/sweep-executes';
import { fakesWithExecutes } from '../../fakes/seeded-records';

const config = { graceSeconds: 60, batchSize: 100 };

describe('sweepExecutes', () => {
  it('settles an execute whose output object exists but whose notification was lost', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const record = fakes.records[0]!;
    fakes.payloads.objects.set(
      record.sagemaker_raw.OutputLocation as string,
      JSON.stringify({ prompt_id: record.prompt_id, status: 'success', output_files: ['9/a.png'] }),
    );
    fakes.clock.advance(61_000);
    const report = await sweepExecutes({ ...fakes, config });
    expect(report.recovered).toEqual([record.prompt_id]);
    expect(fakes.store.records.get(record.prompt_id)).toMatchObject({
      status: 'success',
      output_files: ['9/a.png'],
    });
  });

  it('settles from a failure object too', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const record = fakes.records[0]!;
    fakes.payloads.objects.set(
      record.sagemaker_raw.FailureLocation as string,
      JSON.stringify({ status: 'failed', message: 'boom' }),
    );
    fakes.clock.advance(61_000);
    await sweepExecutes({ ...fakes, config });
    expect(fakes.store.records.get(record.prompt_id)).toMatchObject({ status: 'failed', message: 'boom' });
  });

  it('leaves young executes alone and fails only those past their deadline', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a' }, { owner: 'a', status: 'running' }]);
    expect(await sweepExecutes({ ...fakes, config })).toEqual({
      examined: 2,
      recovered: [],
      timedOut: [],
      counted: [],
    });
    fakes.clock.advance(61_000);
    expect((await sweepExecutes({ ...fakes, config })).timedOut).toEqual([]);
    fakes.clock.advance((3600 + 300) * 1000);
    const report = await sweepExecutes({ ...fakes, config });
    expect(report.timedOut.sort()).toEqual(fakes.records.map((r) => r.prompt_id).sort());
    for (const record of fakes.records) {
      expect(fakes.store.records.get(record.prompt_id)).toMatchObject({
        status: 'failed',
        error: { type: 'timeout' },
        usage_counted: true,
      });
    }
    // Counted in the same write as the timeout: one row each, failed.
    expect(fakes.store.usage.map((usage) => usage.status)).toEqual(['failed', 'failed']);
  });

  it('never touches a final execute', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a', status: 'success' }]);
    fakes.clock.advance(10 * 3600 * 1000);
    expect(await sweepExecutes({ ...fakes, config })).toEqual({
      examined: 0,
      recovered: [],
      timedOut: [],
      counted: [],
    });
  });

  it('counts a final execute no notification counted (the container completed it; the notification was lost), once', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const record = fakes.records[0]!;
    // The container's completion: final, without usage.
    await fakes.store.update(record, {
      from: ['running'],
      set: { status: 'success', complete_time: '2026-12-07T12:00:00.000Z', timings: { total_ms: 1234 } },
    });
    const report = await sweepExecutes({ ...fakes, config });
    expect(report.counted).toEqual([record.prompt_id]);
    expect(fakes.store.usage).toMatchObject([
      { owner: 'a', status: 'success', gpu_ms: 1234, day: '2026-12-07' },
    ]);
    expect((await sweepExecutes({ ...fakes, config })).counted).toEqual([]);
    expect(fakes.store.usage).toHaveLength(1);
  });
});
