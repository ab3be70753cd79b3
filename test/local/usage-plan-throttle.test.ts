import { describe, expect, it } from 'vitest';
import { UsagePlanThrottle } from '../../local/usage-plan-throttle';

describe('UsagePlanThrottle (API Gateway usage plan, per key)', () => {
  it('lets a burst through, then one request per 1/rate seconds', () => {
    let now = 0;
    const throttle = new UsagePlanThrottle({ rateLimit: 4, burstLimit: 2 }, () => now);
    expect([throttle.take('a'), throttle.take('a'), throttle.take('a')]).toEqual([true, true, false]);
    now = 200;
    expect(throttle.take('a')).toBe(false);
    now = 250;
    expect([throttle.take('a'), throttle.take('a')]).toEqual([true, false]);
    now = 10_000;
    expect([throttle.take('a'), throttle.take('a'), throttle.take('a')]).toEqual([true, true, false]);
  });

  it('keeps each key its own bucket', () => {
    const throttle = new UsagePlanThrottle({ rateLimit: 1, burstLimit: 1 }, () => 0);
    expect([throttle.take('a'), throttle.take('a'), throttle.take('b')]).toEqual([true, false, true]);
  });
});
