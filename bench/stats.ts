/** The q-quantile of samples (nearest rank, q in 0..1): `quantile(s, 0.5)` is the median. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** p50 and p99 of the samples, rounded to `digits` decimals. */
export function percentiles(samples: readonly number[], digits = 1): { p50: number; p99: number } {
  return {
    p50: Number(quantile(samples, 0.5).toFixed(digits)),
    p99: Number(quantile(samples, 0.99).toFixed(digits)),
  };
}
