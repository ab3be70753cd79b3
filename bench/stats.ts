/** The q-quantile of samples (nearest rank, q in 0..1): `quantile(s, 0.5)` is the median. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
