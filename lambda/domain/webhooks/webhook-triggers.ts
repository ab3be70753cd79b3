import type { ExecuteStatus } from '../execute-status';
import type { WebhookEvent } from './webhook-spec';

/**
 * The webhook events one change of an execute's status fires, among those its webhook listens to.
 * Only a change of status fires: the delivery's own writes (attempts, errors) and progress never do.
 * An execute that ends without a `running` write (cancelled in the queue, failed before the run)
 * fires only its end.
 */
export function firedEvents(
  before: ExecuteStatus | undefined,
  after: ExecuteStatus | undefined,
  listening: readonly WebhookEvent[],
): WebhookEvent[] {
  if (!after || before === after) return [];
  const event = after === 'created' ? undefined : (after as WebhookEvent);
  return event && listening.includes(event) ? [event] : [];
}

/** One delivery's id, the same on every attempt (and on a duplicate stream record), so receivers can deduplicate. */
export const webhookId = (promptId: string, event: WebhookEvent) => `msg_${promptId}_${event}`;
