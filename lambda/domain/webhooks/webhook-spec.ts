/** What a webhook may be told: the execute started running, or ended one of three ways. */
export const WEBHOOK_EVENTS = ['running', 'success', 'failed', 'cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Without `events`, a webhook hears how the execute ended. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['success', 'failed', 'cancelled'];

export interface WebhookSpec {
  url: string;
  events: WebhookEvent[];
}

export interface WebhookUrlRules {
  /** Deployed: https only. The local stack allows http for receivers on this machine. */
  httpsOnly: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * CreateExecute's `webhook: {url, events?}`, checked before anything is stored: a URL (https
 * when deployed, no user or password in it), events a subset of WEBHOOK_EVENTS. Returns the
 * problem as a sentence naming the field, or the normalized spec. Where the host resolves to is
 * checked apart (it needs DNS): `webhookHostProblem`.
 */
export function parseWebhookSpec(
  input: { url?: unknown; events?: unknown },
  rules: WebhookUrlRules,
): { spec: WebhookSpec } | { problem: string } {
  if (typeof input.url !== 'string' || input.url === '') return { problem: 'webhook.url must be a URL' };
  if (input.url.length > MAX_URL_LENGTH)
    return { problem: `webhook.url must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { problem: `webhook.url is not a URL: ${JSON.stringify(input.url)}` };
  }
  const allowed = rules.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!allowed.includes(url.protocol))
    return {
      problem: `webhook.url must use ${rules.httpsOnly ? 'https' : 'https or http'}, not ${url.protocol.replace(/:$/, '')}`,
    };
  if (url.username || url.password)
    return { problem: 'webhook.url must not carry a user name or password (the signature authenticates us)' };
  const events = input.events ?? [...DEFAULT_WEBHOOK_EVENTS];
  if (!Array.isArray(events) || events.length === 0)
    return { problem: `webhook.events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}` };
  const unknown = events.filter((event) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(event));
  if (unknown.length > 0)
    return {
      problem: `webhook.events has unknown events ${JSON.stringify(unknown)}; known: ${WEBHOOK_EVENTS.join(', ')}`,
    };
  // Kept in WEBHOOK_EVENTS' order, once each.
  const chosen = WEBHOOK_EVENTS.filter((event) => events.includes(event));
  return { spec: { url: url.toString(), events: chosen } };
}
