import { exactJsonText } from '../domain/exact-json';
import type { ExecuteRecord, ExecuteWebhook } from '../domain/execute-record';
import type {
  WebhookDelivery,
  WebhookPoster,
  WebhookSecretStore,
  WebhookSigner,
} from '../domain/notification-ports';
import type { Clock, ExecuteStore, PayloadStore } from '../domain/ports';
import { recordAtEvent } from '../domain/webhooks/event-snapshot';
import { nextRetryDelaySeconds, type RetryPolicy } from '../domain/webhooks/retry-schedule';
import { signingSecrets } from '../domain/webhooks/signing-secrets';
import { checkWebhookHost } from '../domain/webhooks/webhook-target';
import { executeView } from './get-execute';

export interface DeliverWebhookDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  secrets: WebhookSecretStore;
  sign: WebhookSigner;
  poster: WebhookPoster;
  resolveHost(host: string): Promise<string[]>;
  clock: Clock;
  config: { presignTtlSeconds: number; allowLoopback: boolean; retry: RetryPolicy };
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; delaySeconds: number; error: string }
  | { kind: 'gave-up'; error: string }
  | { kind: 'skipped'; reason: string };

/** Which attempt this is: SQS's receive count, and when the delivery was first queued. */
export interface DeliveryAttempt {
  number: number;
  firstQueuedAt: number;
}

/**
 * One attempt at one delivery: the execute as it was when the event happened, shown as GetExecute
 * shows it (signed URLs included), in Standard Webhooks' envelope `{type, timestamp, data}`, signed
 * with every valid secret of its owner, POSTed to a URL whose host is checked again first (DNS may
 * have changed). The record's webhook state always shows the last attempt's. A failure is retried
 * with backoff until the window closes; then the delivery is given up (to the dead-letter queue).
 */
export async function deliverWebhook(
  delivery: WebhookDelivery,
  attempt: DeliveryAttempt,
  deps: DeliverWebhookDeps,
): Promise<DeliveryOutcome> {
  const record = await deps.store.get(delivery.prompt_id);
  if (!record?.webhook) return { kind: 'skipped', reason: 'the execute or its webhook no longer exists' };
  // An execute deleted and its id taken by a new create (any key's): the event is the old one's,
  // and neither its state nor the new owner's receiver may see it.
  if (!sameExecute(record, delivery.execute))
    return { kind: 'skipped', reason: 'the execute was deleted and its prompt_id used again' };
  if (!record.webhook.events.includes(delivery.event))
    return { kind: 'skipped', reason: `the execute's webhook does not ask for ${delivery.event}` };
  const now = deps.clock.now();
  const { url } = record.webhook;
  const checked = await checkWebhookHost(url, deps.resolveHost, {
    allowLoopback: deps.config.allowLoopback,
  });
  const result =
    'problem' in checked
      ? { error: checked.problem }
      : await post(record, delivery, now, checked.address, deps);
  const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
  if (ok) {
    await writeState(
      record,
      deps,
      { status: 'delivered', last_error: null, delivered_at: now.toISOString() },
      delivery,
      attempt,
    );
    return { kind: 'delivered', status: result.status! };
  }
  const error = result.error ?? `the receiver answered HTTP ${result.status}`;
  const delay = nextRetryDelaySeconds(
    attempt.number,
    attempt.firstQueuedAt,
    now.getTime(),
    deps.config.retry,
  );
  await writeState(
    record,
    deps,
    { status: delay ? 'retrying' : 'failed', last_error: error },
    delivery,
    attempt,
  );
  return delay ? { kind: 'retry', delaySeconds: delay, error } : { kind: 'gave-up', error };
}

/** The record read now is the execute the event happened to (same create), as far as the snapshot tells. */
function sameExecute(record: ExecuteRecord, snapshot: WebhookDelivery['execute']): boolean {
  if (!snapshot) return true;
  const then = snapshot.record;
  return then.request_hash === record.request_hash && then.create_time === record.create_time;
}

async function post(
  record: ExecuteRecord,
  delivery: WebhookDelivery,
  now: Date,
  address: string,
  deps: DeliverWebhookDeps,
) {
  // The execute as it was when the event happened (a retry of `running` still says running),
  // shown as GetExecute shows it; the record read for this attempt completes it (its prompt).
  const data = await executeView(recordAtEvent(record, delivery.execute), {
    payloads: deps.payloads,
    config: { presignTtlSeconds: deps.config.presignTtlSeconds },
  });
  // Standard Webhooks: the payload's timestamp is when the event happened; the
  // webhook-timestamp header, which the signature covers, is when this attempt was sent.
  const timestamp = delivery.execute?.occurred_at ?? now.toISOString();
  const payload = exactJsonText({ type: `execute.${delivery.event}`, timestamp, data });
  const secrets = signingSecrets(await deps.secrets.secretsOf(record.owner), now);
  return deps.poster.post(
    record.webhook!.url,
    {
      'content-type': 'application/json',
      'user-agent': 'comfy-exec-webhooks',
      'webhook-id': delivery.webhook_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': deps.sign(secrets, delivery.webhook_id, now, payload),
    },
    payload,
    address,
  );
}

/** Writes the attempt's state into the record (only deliveries write `webhook`; one at a time per execute). */
async function writeState(
  record: ExecuteRecord,
  deps: DeliverWebhookDeps,
  state: Partial<ExecuteWebhook>,
  delivery: WebhookDelivery,
  attempt: DeliveryAttempt,
) {
  const webhook: ExecuteWebhook = {
    ...record.webhook!,
    delivered_at: null,
    ...state,
    event: delivery.event,
    attempts: attempt.number,
  };
  await deps.store.update({ prompt_id: record.prompt_id, owner: record.owner }, { set: { webhook } });
}
