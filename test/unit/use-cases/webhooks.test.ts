import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook } from '../../../lambda/adapters/standard-webhooks-signer';
import type { ExecuteRecord } from '../../../lambda/domain/execute-record';
import type { WebhookDelivery, WebhookSecretStore } from '../../../lambda/domain/notification-ports';
import { DEFAULT_RETRY_POLICY } from '../../../lambda/domain/webhooks/retry-schedule';
import { rotated, type SigningSecrets } from '../../../lambda/domain/webhooks/signing-secrets';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { type DeliverWebhookDeps, deliverWebhook } from '../../../lambda/use-cases/deliver-webhook';
import { dispatchWebhooks } from '../../../lambda/use-cases/dispatch-webhooks';
import { fakesWithExecutes } from '../../fakes/seeded-records';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput } from '../../fixtures/prompts';

class InMemorySecrets implements WebhookSecretStore {
  readonly byOwner = new Map<string, SigningSecrets>();
  async secretsOf(owner: string) {
    if (!this.byOwner.has(owner)) this.byOwner.set(owner, { current: newWebhookSecret() });
    return this.byOwner.get(owner)!;
  }
  async rotate(owner: string) {
    const next = rotated(await this.secretsOf(owner), newWebhookSecret(), new Date());
    this.byOwner.set(owner, next);
    return next;
  }
}

const hook = (events = ['success', 'failed', 'cancelled']) =>
  ({
    webhook: {
      url: 'https://hooks.example.com/in',
      events,
      status: 'pending',
      event: null,
      attempts: 0,
      last_error: null,
      delivered_at: null,
    },
  }) as Partial<ExecuteRecord>;

async function setup(answer: { status?: number; error?: string } = { status: 204 }) {
  const fakes = await fakesWithExecutes([{ owner: 'alice', status: 'success', extra: hook() }]);
  const posted: { url: string; headers: Record<string, string>; body: string; address: string }[] = [];
  const secrets = new InMemorySecrets();
  const deps: DeliverWebhookDeps = {
    store: fakes.store,
    payloads: fakes.payloads,
    secrets,
    sign: signWebhook,
    poster: {
      post: async (url, headers, body, address) => {
        posted.push({ url, headers, body, address });
        return answer;
      },
    },
    resolveHost: async (host) => (host === 'hooks.example.com' ? ['93.184.216.34'] : ['10.0.0.7']),
    clock: { now: () => new Date() },
    config: { presignTtlSeconds: 60, allowLoopback: false, retry: DEFAULT_RETRY_POLICY },
  };
  const record = fakes.records[0]!;
  const delivery: WebhookDelivery = {
    prompt_id: record.prompt_id,
    event: 'success',
    webhook_id: `msg_${record.prompt_id}_success`,
  };
  return { fakes, deps, posted, secrets, record, delivery };
}

describe('delivering a webhook', () => {
  it('connects to the address it checked, not to what DNS answers next (rebinding)', async () => {
    const { deps, posted, delivery } = await setup();
    let lookups = 0;
    // Public for the check, then the metadata service for anyone who asks again.
    deps.resolveHost = async () => (lookups++ === 0 ? ['93.184.216.34'] : ['169.254.169.254']);
    const outcome = await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps);
    expect(outcome).toEqual({ kind: 'delivered', status: 204 });
    expect(posted.map((p) => p.address)).toEqual(['93.184.216.34']);
    expect(lookups).toBe(1);
  });

  it('POSTs the execute as GetExecute shows it, signed so the standardwebhooks verifier accepts it', async () => {
    const { deps, posted, secrets, record, delivery } = await setup();
    const outcome = await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps);
    expect(outcome).toEqual({ kind: 'delivered', status: 204 });
    const [sent] = posted;
    const verified = new Webhook((await secrets.secretsOf('alice')).current).verify(
      sent!.body,
      sent!.headers,
    ) as any;
    expect(verified).toMatchObject({
      type: 'execute.success',
      data: { prompt_id: record.prompt_id, status: 'success' },
    });
    expect(sent!.headers['webhook-id']).toBe(delivery.webhook_id);
    expect((await deps.store.get(record.prompt_id))!.webhook).toMatchObject({
      status: 'delivered',
      event: 'success',
      attempts: 1,
      last_error: null,
    });
  });

  it('signs with the old and the new secret while a rotation is in its grace', async () => {
    const { deps, posted, secrets, delivery } = await setup();
    const old = (await secrets.secretsOf('alice')).current;
    const fresh = (await secrets.rotate('alice')).current;
    await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps);
    const [sent] = posted;
    expect(sent!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [old, fresh])
      expect(() => new Webhook(secret).verify(sent!.body, sent!.headers)).not.toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(sent!.body, sent!.headers)).toThrow();
  });

  it('retries a failed delivery with backoff, then gives it up past the window; the record says each', async () => {
    const { deps, record, delivery } = await setup({ status: 500 });
    const first = await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps);
    expect(first).toMatchObject({ kind: 'retry', error: 'the receiver answered HTTP 500' });
    expect((first as { delaySeconds: number }).delaySeconds).toBeGreaterThanOrEqual(5);
    expect((await deps.store.get(record.prompt_id))!.webhook).toMatchObject({
      status: 'retrying',
      attempts: 1,
    });
    const late = await deliverWebhook(delivery, { number: 30, firstQueuedAt: Date.now() - 86_400_000 }, deps);
    expect(late).toEqual({ kind: 'gave-up', error: 'the receiver answered HTTP 500' });
    expect((await deps.store.get(record.prompt_id))!.webhook).toMatchObject({
      status: 'failed',
      attempts: 30,
      last_error: 'the receiver answered HTTP 500',
    });
  });

  it('never calls a host that resolves to a private address', async () => {
    const { fakes, deps, posted, delivery } = await setup();
    const record = fakes.records[0]!;
    fakes.store.records.set(record.prompt_id, {
      ...record,
      webhook: { ...record.webhook!, url: 'https://internal.example/hook' },
    });
    const outcome = await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps);
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('10.0.0.7') });
    expect(posted).toEqual([]);
  });

  it('skips a delivery whose execute was deleted', async () => {
    const { fakes, deps, posted, record, delivery } = await setup();
    fakes.store.records.delete(record.prompt_id);
    expect(await deliverWebhook(delivery, { number: 1, firstQueuedAt: Date.now() }, deps)).toMatchObject({
      kind: 'skipped',
    });
    expect(posted).toEqual([]);
  });
});

describe('dispatching webhook deliveries from the table stream', () => {
  it('queues each event the webhook listens to once its status is reached, with a stable id', async () => {
    const fakes = await fakesWithExecutes([{ owner: 'alice', extra: hook(['running', 'success']) }]);
    const record = fakes.records[0]!;
    const queued: WebhookDelivery[] = [];
    const deps = { queue: { enqueue: async (d: WebhookDelivery) => void queued.push(d) } };
    const running = { ...record, status: 'running' as const };
    const done = { ...running, status: 'success' as const };
    await dispatchWebhooks(undefined, record, deps);
    await dispatchWebhooks(record, running, deps);
    await dispatchWebhooks(
      running,
      { ...running, progress: { value: 1, max: 2, node: '3', percent: 50 } },
      deps,
    );
    await dispatchWebhooks(running, done, deps);
    await dispatchWebhooks(done, { ...done, webhook: { ...done.webhook!, status: 'delivered' } }, deps);
    expect(queued.map((d) => [d.event, d.webhook_id])).toEqual([
      ['running', `msg_${record.prompt_id}_running`],
      ['success', `msg_${record.prompt_id}_success`],
    ]);
    expect(await dispatchWebhooks(record, { ...running, webhook: null }, deps)).toEqual([]);
  });
});

describe("a key's default webhook", () => {
  it('applies to executes created without one, not to another key, and an explicit null opts out', async () => {
    const fakes = fakeCreateDeps();
    const url = 'https://images.example.com/hook';
    fakes.deps.config.webhooks = { allowLocal: false, defaults: { alice: { url, events: ['success'] } } };
    const own = await createExecute(createInput(), 'alice', fakes.deps);
    expect(own.record.webhook).toMatchObject({ url, events: ['success'], status: 'pending' });
    expect((await createExecute(createInput(), 'bob', fakes.deps)).record.webhook).toBeUndefined();
    expect(
      (await createExecute(createInput({ webhook: null } as never), 'alice', fakes.deps)).record.webhook,
    ).toBeUndefined();
    const given = await createExecute(
      createInput({ webhook: { url: 'https://images.example.com/other' } } as never),
      'alice',
      fakes.deps,
    );
    expect(given.record.webhook?.url).toBe('https://images.example.com/other');
  });
});
