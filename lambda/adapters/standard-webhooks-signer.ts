import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '../domain/notification-ports';

/**
 * Standard Webhooks' signature (the `standardwebhooks` library, not hand-rolled HMAC): `v1,` and
 * the HMAC-SHA256 of `{id}.{timestamp}.{payload}`, one per valid secret, space-separated, as the
 * specification lets a sender sign with an old and a new secret during a rotation.
 */
export const signWebhook: WebhookSigner = (secrets, id, timestamp, payload) =>
  secrets.map((secret) => new Webhook(secret).sign(id, timestamp, payload)).join(' ');

/** A new signing secret in Standard Webhooks' form: `whsec_` and 32 random bytes, base64. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
