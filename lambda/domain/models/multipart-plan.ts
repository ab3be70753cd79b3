/** S3's multipart limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000. */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PARTS = 10_000;
/** Big enough that a 25 GB checkpoint is ~400 parts, small enough to retry a part cheaply. */
export const PREFERRED_PART_BYTES = 64 * 1024 ** 2;

export interface PartPlan {
  partSize: number;
  /** Each part's exact size, in order: the last carries the remainder. */
  parts: number[];
}

/**
 * How an upload of `size` bytes is split so that every part but the last has the same size:
 * `preferred` bytes, or larger when 10,000 such parts would not hold it.
 */
export function planParts(size: number, preferred = PREFERRED_PART_BYTES): PartPlan {
  const partSize = Math.max(preferred, MIN_PART_BYTES, Math.ceil(size / MAX_PARTS));
  const count = Math.max(1, Math.ceil(size / partSize));
  const parts = Array.from({ length: count }, (_, i) =>
    i < count - 1 ? partSize : size - partSize * (count - 1),
  );
  return { partSize, parts };
}
