import { type ExecuteOutputs, isStoredFileItem, type StoredFileItem } from '../domain/execute-outputs';
import type { ExecuteRecord } from '../domain/execute-record';
import type { PayloadStore } from '../domain/ports';
import { joinS3 } from './execute-view';

/**
 * How much of an execute's files one answer carries inline. A Lambda answer stops at 6 MB and
 * base64 adds a third: 1 MB of files leaves room for the record itself.
 */
export interface InlineLimits {
  perFileBytes: number;
  totalBytes: number;
}

export const INLINE_LIMITS: InlineLimits = { perFileBytes: 256 * 1024, totalBytes: 1024 * 1024 };

/** Objects looked at (HeadObject, then GetObject) at once: an execute may have hundreds of files. */
const CONCURRENCY = 8;

type Paths = Pick<ExecuteRecord, 'output_path' | 'temp_path'>;

interface Candidate {
  item: StoredFileItem;
  uri: string;
  /** Where the item sits, to put its inlined copy back. */
  items: unknown[];
  index: number;
}

async function mapBounded<T, R>(values: readonly T[], work: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(values.length);
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const index = next++;
      results[index] = await work(values[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, values.length) }, worker));
  return results;
}

/** Every stored file item of the outputs, in the order ComfyUI listed them (nodes, kinds, items). */
function candidatesOf(outputs: ExecuteOutputs, record: Paths): Candidate[] {
  const found: Candidate[] = [];
  for (const ui of Object.values(outputs)) {
    for (const value of Object.values(ui ?? {})) {
      if (!Array.isArray(value)) continue;
      value.forEach((item, index) => {
        if (!isStoredFileItem(item)) return;
        const base = item.type === 'temp' ? record.temp_path : record.output_path;
        if (base) found.push({ item, uri: joinS3(base, item.key), items: value, index });
      });
    }
  }
  return found;
}

/**
 * The outputs (as GetExecute shows them, URLs signed) with the bytes of each file that fits the
 * limits beside its URL: `data` (base64) and `content_type`. Sizes come from HeadObject, and only
 * files that fit are read, first come first served until the total is spent; a file without
 * `data` is to be downloaded from its `url`. Returns a copy; the outputs given are not changed.
 */
export async function inlineOutputs(
  outputs: ExecuteOutputs | null,
  record: Paths,
  payloads: Pick<PayloadStore, 'headObject' | 'getBytes'>,
  limits: InlineLimits = INLINE_LIMITS,
): Promise<ExecuteOutputs | null> {
  if (!outputs) return outputs;
  const copy = structuredClone(outputs);
  const candidates = candidatesOf(copy, record);
  const heads = await mapBounded(candidates, (candidate) => payloads.headObject(candidate.uri));
  const headOf = new Map(candidates.map((candidate, index) => [candidate, heads[index]]));
  let budget = limits.totalBytes;
  const chosen = candidates.filter((candidate) => {
    const size = headOf.get(candidate)?.size;
    if (size === undefined || size > limits.perFileBytes || size > budget) return false;
    budget -= size;
    return true;
  });
  await mapBounded(chosen, async (candidate) => {
    const head = headOf.get(candidate)!;
    const bytes = await payloads.getBytes(candidate.uri);
    // Grown since its HeadObject (outputs are written once, but the budget must hold regardless).
    if (!bytes || bytes.byteLength > head.size) return;
    candidate.items[candidate.index] = {
      ...candidate.item,
      content_type: head.contentType ?? 'application/octet-stream',
      data: Buffer.from(bytes).toString('base64'),
    };
  });
  return copy;
}
