import { describe, expect, it } from 'vitest';
import { CachedWebhookSecrets, type SecretCache } from '../../../lambda/adapters/cached-webhook-secrets';
import type { WebhookSecretStore } from '../../../lambda/domain/notification-ports';
import { rotated, type SigningSecrets } from '../../../lambda/domain/webhooks/signing-secrets';

/** A store that counts its reads and can be made to fail, as Secrets Manager can. */
class CountingStore implements WebhookSecretStore {
  reads = 0;
  failNext = false;
  readonly secrets = new Map<string, SigningSecrets>();
  async secretsOf(owner: string) {
    this.reads++;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('ThrottlingException');
    }
    if (!this.secrets.has(owner)) this.secrets.set(owner, { current: `whsec_${owner}` });
    return this.secrets.get(owner)!;
  }
  async rotate(owner: string) {
    const next = rotated(await this.secretsOf(owner), `whsec_${owner}_next`, new Date());
    this.secrets.set(owner, next);
    return next;
  }
}

describe('CachedWebhookSecrets: one read per owner per TTL for deliveries', () => {
  it('reads an owner once per TTL, each owner apart, and again once it has passed', async () => {
    let now = 0;
    const inner = new CountingStore();
    const cached = new CachedWebhookSecrets(inner, 60_000, new Map(), () => now);
    for (let i = 0; i < 5; i++) expect((await cached.secretsOf('a')).current).toBe('whsec_a');
    expect((await cached.secretsOf('b')).current).toBe('whsec_b');
    expect(inner.reads).toBe(2);
    now = 60_000;
    await cached.secretsOf('a');
    expect(inner.reads).toBe(3);
  });

  it('sees a rotation made elsewhere within the TTL, and signs with both secrets from then on', async () => {
    let now = 0;
    const inner = new CountingStore();
    const cache: SecretCache = new Map();
    const delivering = new CachedWebhookSecrets(inner, 60_000, cache, () => now);
    await delivering.secretsOf('a');
    await inner.rotate('a'); // the webhook-secret function, another container
    expect((await delivering.secretsOf('a')).previous).toBeUndefined();
    now = 60_001;
    const after = await delivering.secretsOf('a');
    expect(after).toMatchObject({ current: 'whsec_a_next', previous: { secret: 'whsec_a' } });
  });

  it('never caches a failed read, and with a TTL of 0 reads every time', async () => {
    const inner = new CountingStore();
    const cached = new CachedWebhookSecrets(inner, 60_000, new Map(), () => 0);
    inner.failNext = true;
    await expect(cached.secretsOf('a')).rejects.toThrow('ThrottlingException');
    expect((await cached.secretsOf('a')).current).toBe('whsec_a');
    const uncached = new CachedWebhookSecrets(inner, 0, new Map(), () => 0);
    const before = inner.reads;
    await uncached.secretsOf('a');
    await uncached.secretsOf('a');
    expect(inner.reads - before).toBe(2);
  });
});
