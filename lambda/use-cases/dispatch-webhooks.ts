import type { ExecuteRecord } from '../domain/execute-record';
import type { WebhookQueue } from '../domain/notification-ports';
import { eventSnapshot } from '../domain/webhooks/event-snapshot';
import type { WebhookEvent } from '../domain/webhooks/webhook-spec';
import { firedEvents, webhookId } from '../domain/webhooks/webhook-triggers';

/**
 * One change of the executes table (its stream): each event it fires for the execute's webhook
 * becomes a delivery on the queue, in the execute's own FIFO group (so `running` is delivered
 * before `success`), deduplicated by its id should the stream hand the change over twice.
 */
export async function dispatchWebhooks(
  before: ExecuteRecord | undefined,
  after: ExecuteRecord | undefined,
  deps: { queue: WebhookQueue },
  /** When the stream recorded the change (its ApproximateCreationDateTime), when it says. */
  changedAt?: Date,
): Promise<WebhookEvent[]> {
  const hook = after?.webhook;
  if (!after || !hook) return [];
  const events = firedEvents(before?.status, after.status, hook.events);
  for (const event of events)
    await deps.queue.enqueue({
      prompt_id: after.prompt_id,
      event,
      webhook_id: webhookId(after.prompt_id, event),
      // The change itself: a retry days later still tells of this state, not of the record then.
      execute: eventSnapshot(after, event, changedAt),
    });
  return events;
}
