import { describe, expect, it } from 'vitest';
import type { ExecuteRecord } from '../../../lambda/domain/execute-record';
import type { WaitSlots } from '../../../lambda/domain/wait-slots';
import {
  answerAfterWait,
  GATEWAY_TIMEOUT_MS,
  pollLocation,
  WAIT_MARGIN_MS,
  waitDeadline,
} from '../../../lambda/http/wait-answer';
import { WAIT_POLL, waitForExecuteEnd } from '../../../lambda/use-cases/wait-for-execute';
import { fakesWithExecutes } from '../../fakes/seeded-records';

/** The fakes, with a sleep that moves the manual clock and runs `onSleep` (the world changing meanwhile). */
async function setup(onSleep: (slept: number[], record: ExecuteRecord) => void = () => undefined) {
  const fakes = await fakesWithExecutes([{ owner: 'alice', status: 'created' }]);
  const record = fakes.records[0]!;
  const slept: number[] = [];
  const deps = {
    store: fakes.store,
    clock: fakes.clock,
    sleep: async (ms: number) => {
      slept.push(ms);
      fakes.clock.advance(ms);
      onSleep(slept, record);
    },
  };
  const start = fakes.clock.now().getTime();
  return { fakes, record, deps, slept, start };
}

describe('waiting for an execute to end', () => {
  it('answers the final record as soon as a read finds it ended, reading with growing pauses', async () => {
    const { fakes, record, deps, slept, start } = await setup((slept, record) => {
      const status = slept.length === 2 ? 'running' : slept.length === 5 ? 'success' : undefined;
      if (status)
        fakes.store.records.set(record.prompt_id, { ...fakes.store.records.get(record.prompt_id)!, status });
    });
    const outcome = await waitForExecuteEnd(record, start + 20_000, deps);
    expect(outcome.ended).toBe(true);
    expect(outcome.record.status).toBe('success');
    expect(slept).toEqual([25, 38, 57, 86, 129]);
  });

  it('stops at the deadline with the record as it is, never sleeping past it', async () => {
    const { fakes, record, deps, slept, start } = await setup((slept, record) => {
      if (slept.length === 1)
        fakes.store.records.set(record.prompt_id, {
          ...fakes.store.records.get(record.prompt_id)!,
          status: 'running',
        });
    });
    const outcome = await waitForExecuteEnd(record, start + 3_000, deps);
    expect(outcome).toMatchObject({ ended: false, record: { status: 'running' } });
    expect(slept.reduce((sum, ms) => sum + ms, 0)).toBe(3_000);
    expect(Math.max(...slept)).toBeLessThanOrEqual(WAIT_POLL.maxDelayMs);
  });

  it('does not wait at all for a record that has already ended, nor past a deadline already gone', async () => {
    const ended = await setup();
    const done = { ...ended.record, status: 'failed' as const };
    expect(await waitForExecuteEnd(done, ended.start + 5_000, ended.deps)).toEqual({
      ended: true,
      record: done,
    });
    expect(ended.slept).toEqual([]);
    expect(await waitForExecuteEnd(ended.record, ended.start - 1, ended.deps)).toMatchObject({
      ended: false,
    });
    expect(ended.slept).toEqual([]);
  });

  it('answers the last record read when the execute is deleted while it waits', async () => {
    const { fakes, record, deps, start } = await setup(() => fakes.store.records.delete(record.prompt_id));
    expect(await waitForExecuteEnd(record, start + 5_000, deps)).toEqual({ ended: false, record });
  });
});

describe("a create's wait deadline", () => {
  const event = (requestTimeEpoch: number) => ({ requestContext: { requestTimeEpoch } }) as never;
  const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

  it('counts `wait` from when API Gateway received the request', () => {
    expect(waitDeadline(5, event(1_000_000), remaining(28_000), 1_000_400)).toBe(1_005_000);
  });

  it("never reaches API Gateway's 29 s, nor the Lambda's remaining time, less a margin", () => {
    expect(waitDeadline(29, event(1_000_000), remaining(60_000), 1_000_000)).toBe(
      1_000_000 + GATEWAY_TIMEOUT_MS - WAIT_MARGIN_MS,
    );
    // A cold start: 3 s of init the Lambda's clock does not count, then a Lambda with 10 s left.
    expect(waitDeadline(29, event(1_000_000), remaining(10_000), 1_003_000)).toBe(
      1_003_000 + 10_000 - WAIT_MARGIN_MS,
    );
  });

  it('counts from now when the request time is missing or not believable', () => {
    expect(waitDeadline(2, { requestContext: {} } as never, undefined, 5_000)).toBe(7_000);
    expect(waitDeadline(2, event(9_000), undefined, 5_000)).toBe(7_000);
  });
});

describe("a 202's poll location", () => {
  const id = '6c8d8a1e-2f7a-4d7e-9a53-2b0c6f1d9e10';
  it('is GetExecute under the stage or base path the create was called on, absolute behind API Gateway', () => {
    const deployed = {
      path: '/executes',
      requestContext: { path: '/prod/executes' },
      headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'X-Forwarded-Proto': 'https' },
    } as never;
    expect(pollLocation(deployed, id)).toBe(
      `https://abc123.execute-api.eu-west-1.amazonaws.com/prod/executes/${id}`,
    );
    const customDomain = {
      path: '/executes',
      requestContext: { path: '/v1/executes/' },
      headers: { host: 'api.example.com', 'x-forwarded-proto': 'https' },
    } as never;
    expect(pollLocation(customDomain, id)).toBe(`https://api.example.com/v1/executes/${id}`);
    const local = {
      path: '/executes',
      requestContext: { path: '/prod/executes' },
      headers: { host: '127.0.0.1:8080' },
    };
    expect(pollLocation(local as never, id)).toBe(`/prod/executes/${id}`);
  });
});

describe("a create's wait and the key's cap on waiting creates (maxWaitingPerKey)", () => {
  const event = { path: '/executes', requestContext: { path: '/prod/executes' }, headers: {} } as never;
  const answerDeps = (base: Awaited<ReturnType<typeof setup>>, slots: WaitSlots) => ({
    ...base.deps,
    payloads: base.fakes.payloads,
    config: { presignTtlSeconds: 900 },
    slots,
  });

  it('answers at once, 202 saying why, when the key has no slot left: nothing waits, nothing held', async () => {
    const base = await setup();
    const asked: string[] = [];
    const answer = await answerAfterWait(
      { statusCode: 201, record: base.record },
      { seconds: 20, inline: false },
      { event },
      answerDeps(base, { take: async (owner) => void asked.push(owner) }),
    );
    expect(asked).toEqual(['alice']);
    expect(base.slept).toEqual([]);
    expect(answer.statusCode).toBe(202);
    expect(answer.message).toMatch(/^not waited for: .*maxWaitingPerKey.*; poll \/prod\/executes\//);
    expect(answer.headers?.Location).toBe(`/prod/executes/${base.record.prompt_id}`);
  });

  it('gives the slot back when the wait ends, and takes none for an execute already ended', async () => {
    const base = await setup();
    const events: string[] = [];
    const slots: WaitSlots = {
      take: async () => {
        events.push('take');
        return async () => void events.push('release');
      },
    };
    const answer = await answerAfterWait(
      { statusCode: 201, record: base.record },
      { seconds: 1, inline: false },
      { event },
      answerDeps(base, slots),
    );
    expect(answer.statusCode).toBe(202);
    expect(events).toEqual(['take', 'release']);
    const ended = { ...base.record, status: 'cancelled' as const };
    const again = await answerAfterWait(
      { statusCode: 200, record: ended },
      { seconds: 1, inline: false },
      { event },
      { ...answerDeps(base, slots), payloads: base.fakes.payloads },
    );
    expect(events).toEqual(['take', 'release']);
    expect(again).toMatchObject({ statusCode: 200, data: { status: 'cancelled' } });
  });
});
