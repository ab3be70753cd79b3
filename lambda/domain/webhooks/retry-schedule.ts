export interface RetryPolicy {
  /** The first retry waits about this long; each next one twice as long. */
  baseSeconds: number;
  /** No wait is longer than this. */
  maxSeconds: number;
  /** After this long since the first attempt, the delivery is given up (to the dead-letter queue). */
  windowSeconds: number;
}

/** Up to a day, as the issue asks: 10 s, 20 s, 40 s … capped at an hour. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseSeconds: 10, maxSeconds: 3600, windowSeconds: 86_400 };

/**
 * When to try a failed delivery again: exponential backoff with full jitter (a random wait
 * between half and all of the step, so receivers coming back are not hit by every sender at
 * once), or undefined when the next attempt would fall outside the retry window.
 * `attempts` counts the attempts made so far (≥ 1); `random` is in [0, 1).
 */
export function nextRetryDelaySeconds(
  attempts: number,
  firstAttemptAt: number,
  now: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const step = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempts - 1));
  const delay = Math.max(1, Math.round(step / 2 + (step / 2) * random()));
  const elapsed = (now - firstAttemptAt) / 1000;
  return elapsed + delay > policy.windowSeconds ? undefined : delay;
}
