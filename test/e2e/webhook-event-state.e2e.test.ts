import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, pollUntilFinal, startE2eStack } from './local-api';
import { type Received, startReceiver } from './webhook-receiver';

let stack: LocalStack;
beforeAll(async () => {
  // Retries a second apart, for a minute: long enough for the execute to end while one is pending.
  stack = await startE2eStack({
    webhookRetry: {
      baseSeconds: 1,
      maxSeconds: 1,
      windowSeconds: 60,
      timeoutMs: 1000,
      secretCacheSeconds: 0,
    },
  });
}, 60_000);
afterAll(() => stack?.stop());

const typeOf = (received: Received) => JSON.parse(received.body).type as string;

describe('webhook payloads through the local stack', () => {
  it('a retried execute.running, delivered after the execute ended, still says running', async () => {
    let ended = false;
    // Refuses `running` until the execute has ended, so its delivery is retried after the end.
    const receiver = await startReceiver((received) =>
      typeOf(received) === 'execute.running' && !ended ? 500 : 204,
    );
    const created = await api(stack, 'POST', 'executes', {
      body: { prompt: tinyTxt2imgPrompt(51), webhook: { url: receiver.url, events: ['running', 'success'] } },
    });
    expect(created.status).toBe(201);
    await receiver.until(1);
    const { record } = await pollUntilFinal(stack, created.body.data.prompt_id);
    expect(record.status).toBe('success');
    ended = true;
    // FIFO per execute: success comes only after running was accepted.
    while (!receiver.received.some((received) => typeOf(received) === 'execute.success'))
      await receiver.until(receiver.received.length + 1, 30_000);
    const runs = receiver.received.filter((received) => typeOf(received) === 'execute.running');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const accepted = JSON.parse(runs.at(-1)!.body);
    expect(accepted.data).toMatchObject({
      prompt_id: record.prompt_id,
      status: 'running',
      complete_time: null,
    });
    expect(accepted.timestamp).toBe(accepted.data.start_time);
    // Every attempt tells of the same moment (URLs are signed afresh, delivery state moves on).
    const told = runs
      .map((run) => JSON.parse(run.body))
      .map(({ timestamp, data }) => [timestamp, data.status]);
    expect(new Set(told.map((entry) => JSON.stringify(entry)))).toEqual(new Set([JSON.stringify(told[0])]));
    const success = JSON.parse(receiver.received.find((r) => typeOf(r) === 'execute.success')!.body);
    expect(success.data).toMatchObject({ status: 'success', complete_time: record.complete_time });
    await receiver.stop();
  });
});
