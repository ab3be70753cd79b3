import type { WebhookSecretStore } from '../domain/notification-ports';
import type { SigningSecrets } from '../domain/webhooks/signing-secrets';

/** Secrets read per owner, kept for the life of a Lambda container (module scope). */
export type SecretCache = Map<string, { secrets: SigningSecrets; readAt: number }>;

/**
 * An owner's signing secrets read once per `ttlMs` instead of on every delivery attempt (one
 * Secrets Manager call each). A rotation made elsewhere (the webhook-secret function) reaches
 * deliveries within `ttlMs`; until then they are signed with the secret that was current, which
 * stays valid for a day after the rotation. A failed read is never cached.
 */
export class CachedWebhookSecrets implements WebhookSecretStore {
  constructor(
    private readonly inner: WebhookSecretStore,
    private readonly ttlMs: number,
    private readonly cache: SecretCache,
    private readonly now: () => number = Date.now,
  ) {}

  async secretsOf(owner: string): Promise<SigningSecrets> {
    const cached = this.cache.get(owner);
    if (cached && this.now() - cached.readAt < this.ttlMs) return cached.secrets;
    const secrets = await this.inner.secretsOf(owner);
    if (this.ttlMs > 0) this.cache.set(owner, { secrets, readAt: this.now() });
    return secrets;
  }

  async rotate(owner: string): Promise<SigningSecrets> {
    const secrets = await this.inner.rotate(owner);
    if (this.ttlMs > 0) this.cache.set(owner, { secrets, readAt: this.now() });
    return secrets;
  }
}
