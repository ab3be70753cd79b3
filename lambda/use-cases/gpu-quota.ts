import { GpuQuotaExceededError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { gpuCapOf, type UsageStore, usageDay } from '../domain/usage';

const DAY_MS = 86_400_000;

/**
 * Refuses a create once the key's GPU time of the UTC day (its executes that have ended) reaches
 * its cap (gpuSecondsPerDay): 429 with when the day ends. Keys without a cap read nothing.
 */
export async function checkGpuQuota(
  owner: string,
  caps: Readonly<Record<string, number>> | undefined,
  deps: { usage?: Pick<UsageStore, 'ofOwner'>; clock: Clock },
): Promise<void> {
  const cap = gpuCapOf(caps ?? {}, owner);
  if (cap === undefined || !deps.usage) return;
  const now = deps.clock.now();
  const today = usageDay(now.toISOString());
  const usedMs = (await deps.usage.ofOwner(owner, today, today)).reduce((sum, row) => sum + row.gpu_ms, 0);
  if (usedMs < cap * 1000) return;
  const resets = Date.parse(`${today}T00:00:00Z`) + DAY_MS;
  throw new GpuQuotaExceededError(
    usedMs / 1000,
    cap,
    new Date(resets).toISOString(),
    Math.max(1, Math.ceil((resets - now.getTime()) / 1000)),
  );
}
