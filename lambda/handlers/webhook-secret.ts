import { httpHandler } from '../platform/http-handler';
import { webhookSecrets } from '../platform/webhook-composition';

/**
 * GET /webhooks/secret, POST /webhooks/secret/rotate — the caller's signing secret (created on
 * first use) and, after a rotation, the previous one while it still signs.
 */
export const handler = httpHandler(async ({ event, owner }) => {
  const secrets = webhookSecrets('webhook-secret');
  const current = event.httpMethod === 'POST' ? await secrets.rotate(owner) : await secrets.secretsOf(owner);
  const previous =
    current.previous && Date.parse(current.previous.valid_until) > Date.now()
      ? { previous: current.previous }
      : {};
  return { statusCode: 200, data: { secret: current.current, ...previous } };
});
