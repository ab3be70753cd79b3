/** A usage plan's throttle: requests per second, and how many may come at once. */
export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

/**
 * API Gateway's usage-plan throttling for one stage, per API key: a token bucket that holds
 * `burstLimit` tokens and refills at `rateLimit` per second. A request that finds it empty gets
 * API Gateway's 429 before any Lambda runs (the deployed stage sets 50/s, burst 100).
 */
export class UsagePlanThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly settings: ThrottleSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for this key; false when there is none (answer 429). */
  take(keyId: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(keyId) ?? { tokens: this.settings.burstLimit, at: now };
    bucket.tokens = Math.min(
      this.settings.burstLimit,
      bucket.tokens + ((now - bucket.at) / 1000) * this.settings.rateLimit,
    );
    bucket.at = now;
    this.buckets.set(keyId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
