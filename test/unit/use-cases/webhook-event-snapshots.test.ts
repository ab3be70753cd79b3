import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../../lambda/adapters/standard-webhooks-signer';
import type { ExecuteRecord } from '../../../lambda/domain/execute-record';
import type { WebhookDelivery } from '../../../lambda/domain/notification-ports';
import { MAX_SNAPSHOT_BYTES } from '../../../lambda/domain/webhooks/event-snapshot';
import { DEFAULT_RETRY_POLICY } from '../../../lambda/domain/webhooks/retry-schedule';
import { type DeliverWebhookDeps, deliverWebhook } from '../../../lambda/use-cases/deliver-webhook';
import { dispatchWebhooks } from '../../../lambda/use-cases/dispatch-webhooks';
import { fakesWithExecutes } from '../../fakes/seeded-records';

const webhook = {
  url: 'https://hooks.example.com/in',
  events: ['running', 'success'],
  status: 'pending',
  event: null,
  attempts: 0,
  last_error: null,
  delivered_at: null,
} as ExecuteRecord['webhook'];

const STARTED = '2026-11-22T10:00:05.000Z';
const ENDED = '2026-11-22T10:00:09.000Z';

/**
 * An execute with a webhook, the deliveries its stream changes queue (through JSON, as SQS carries
 * them), and a receiver that refuses the first attempt of each (so each is retried).
 */
async function setup() {
  const fakes = await fakesWithExecutes([{ owner: 'alice', extra: { webhook } }]);
  const created = fakes.records[0]!;
  const queued: WebhookDelivery[] = [];
  const queue = { enqueue: async (d: WebhookDelivery) => void queued.push(JSON.parse(JSON.stringify(d))) };
  const posted: { status: number; body: any; headers: Record<string, string> }[] = [];
  const deps: DeliverWebhookDeps = {
    store: fakes.store,
    payloads: fakes.payloads,
    secrets: {
      secretsOf: async () => ({ current: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
      rotate: async () => ({ current: '' }),
    },
    sign: signWebhook,
    poster: {
      post: async (_url, headers, body) => {
        const status = posted.filter((p) => JSON.parse(p.body).type === JSON.parse(body).type).length
          ? 204
          : 500;
        posted.push({ status, body, headers });
        return { status };
      },
    },
    resolveHost: async () => ['93.184.216.34'],
    clock: fakes.clock,
    config: { presignTtlSeconds: 60, allowLoopback: false, retry: DEFAULT_RETRY_POLICY },
  };
  const running: ExecuteRecord = { ...created, status: 'running', start_time: STARTED };
  const done: ExecuteRecord = {
    ...running,
    status: 'success',
    complete_time: ENDED,
    output_files: ['9/ComfyUI_00001_.png'],
    outputs: {
      '9': {
        images: [
          { filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', key: '9/ComfyUI_00001_.png' },
        ],
      },
    },
  };
  const write = (record: ExecuteRecord) => fakes.store.records.set(record.prompt_id, record);
  return { fakes, created, running, done, write, queue, queued, deps, posted };
}

const attempt = (number: number) => ({ number, firstQueuedAt: Date.now() });

describe('webhook payloads tell of the event, not of the record at delivery', () => {
  it('a retried execute.running still says running after the execute has ended', async () => {
    const { created, running, done, write, queue, queued, deps, posted, fakes } = await setup();
    write(running);
    await dispatchWebhooks(created, running, { queue }, new Date('2026-11-22T10:00:06Z'));
    const [delivery] = queued;
    expect(await deliverWebhook(delivery!, attempt(1), deps)).toMatchObject({ kind: 'retry' });
    // The execute ends before the retry comes round.
    write(done);
    await dispatchWebhooks(running, done, { queue }, new Date('2026-11-22T10:00:10Z'));
    fakes.clock.advance(60_000);
    expect(await deliverWebhook(delivery!, attempt(2), deps)).toMatchObject({ kind: 'delivered' });
    const retried = JSON.parse(posted[1]!.body);
    expect(retried).toMatchObject({ type: 'execute.running', timestamp: STARTED });
    expect(retried.data).toMatchObject({
      status: 'running',
      start_time: STARTED,
      complete_time: null,
      outputs: null,
    });
    expect(retried.data.output_files).toEqual([]);
    // The prompt, never in the queued message, is the record's; the header is the attempt's time.
    expect(retried.data.prompt_params.prompt).toEqual(created.prompt_params.prompt);
    expect(Number(posted[1]!.headers['webhook-timestamp']) * 1000).toBe(
      fakes.clock.now().getTime() - (fakes.clock.now().getTime() % 1000),
    );
    expect(JSON.stringify(delivery)).not.toContain('"prompt_params"');

    // And the end's own delivery carries the end, files signed.
    const ended = queued[1]!;
    await deliverWebhook(ended, attempt(1), deps);
    const sent = JSON.parse(posted.at(-1)!.body);
    expect(sent).toMatchObject({ type: 'execute.success', timestamp: ENDED, data: { status: 'success' } });
    expect(sent.data.outputs['9'].images[0].url).toMatch(/^https?:/);
  });

  it('keeps the queued message small: too large a record travels without its files, read at delivery', async () => {
    const { running, done, write, queue, queued, deps, posted } = await setup();
    const many = Array.from(
      { length: 6000 },
      (_, i) => `9/ComfyUI_${String(i).padStart(5, '0')}_with_a_long_name.png`,
    );
    const big = { ...done, output_files: many };
    write(big);
    await dispatchWebhooks(running, big, { queue }, undefined);
    const [delivery] = queued;
    expect(JSON.stringify(delivery).length).toBeLessThan(MAX_SNAPSHOT_BYTES);
    expect(delivery!.execute!.omitted).toContain('output_files');
    await deliverWebhook(delivery!, attempt(2), deps);
    const sent = JSON.parse(posted.at(-1)!.body);
    expect(sent.data).toMatchObject({ status: 'success', complete_time: ENDED });
    expect(sent.data.output_files).toHaveLength(6000);
  });

  it('a delivery queued before snapshots existed sends the record as read at delivery', async () => {
    const { done, write, deps, posted } = await setup();
    write(done);
    const legacy: WebhookDelivery = {
      prompt_id: done.prompt_id,
      event: 'success',
      webhook_id: `msg_${done.prompt_id}_success`,
    };
    await deliverWebhook(legacy, attempt(2), deps);
    expect(JSON.parse(posted.at(-1)!.body).data).toMatchObject({
      prompt_id: done.prompt_id,
      status: 'success',
    });
  });
  it("never sends a deleted execute's event to the execute that took its id, nor an event it did not ask for", async () => {
    const { running, done, write, queue, queued, deps, posted } = await setup();
    write(done);
    await dispatchWebhooks(running, done, { queue }, new Date('2026-11-22T10:00:10Z'));
    const [aliceSuccess] = queued;
    // Alice's execute is deleted; bob creates one under the same prompt_id, with his own webhook.
    const bobs: ExecuteRecord = {
      ...done,
      owner: 'bob',
      request_hash: 'bobs-request',
      create_time: '2026-11-22T11:00:00.000Z',
      prepare_props: {},
      webhook: { ...webhook!, url: 'https://bob.example.com/in', events: ['success'] },
    };
    write(bobs);
    expect(await deliverWebhook(aliceSuccess!, attempt(2), deps)).toMatchObject({ kind: 'skipped' });
    expect(posted).toEqual([]);
    // A delivery of an event the current webhook does not ask for is skipped too.
    write({ ...done, webhook: { ...webhook!, events: ['failed'] } });
    expect(await deliverWebhook(aliceSuccess!, attempt(2), deps)).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('success'),
    });
    expect(posted).toEqual([]);
  });

  it('shows no index attribute, and stays under the message limit however large the client made the record', async () => {
    const { running, done, write, queue, queued } = await setup();
    const indexed = { ...done, owner_status: 'alice#success', pending: 'p' } as ExecuteRecord;
    write(indexed);
    await dispatchWebhooks(running, indexed, { queue }, undefined);
    expect(Object.keys(queued[0]!.execute!.record)).not.toContain('owner_status');
    expect(Object.keys(queued[0]!.execute!.record)).not.toContain('pending');
    const huge = { ...done, prepare_props: { note: 'x'.repeat(300 * 1024) } } as ExecuteRecord;
    write(huge);
    await dispatchWebhooks(running, huge, { queue }, undefined);
    const delivery = queued.at(-1)!;
    expect(new TextEncoder().encode(JSON.stringify(delivery)).length).toBeLessThan(MAX_SNAPSHOT_BYTES);
    expect(delivery.execute!.record).toMatchObject({ status: 'success', request_hash: done.request_hash });
  });
});
