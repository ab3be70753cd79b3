import type { IncomingHttpHeaders } from 'node:http';
import { CONTAINER_USER_AGENT } from '../../container/src/user-agent';

/**
 * Fault switches for the container's completion write (extra_data.simulate.fault), so the local
 * stack can show each order of the two writers: `completion_write_late` holds the container's
 * write at the DynamoDB front until SageMaker's notification has been handled (the notification
 * first); `completion_write_fails` answers it as DynamoDB answers an internal error, every attempt
 * (the notification alone completes the record).
 */
export const COMPLETION_WRITE_FAULTS = ['completion_write_late', 'completion_write_fails'] as const;
export type CompletionWriteFault = (typeof COMPLETION_WRITE_FAULTS)[number];

/** Longer than any invocation the local stack runs, and the container's retries after it. */
const STALE_AFTER_MS = 2 * 60 * 60 * 1000;

interface Planned {
  fault: CompletionWriteFault;
  plannedAt: number;
  notified: Promise<void>;
  release(): void;
}

/** The container's transaction that completes a record: the record's key, else undefined. */
function completedRecordOf(headers: IncomingHttpHeaders, body: Buffer): string | undefined {
  if (!String(headers['user-agent'] ?? '').includes(CONTAINER_USER_AGENT)) return undefined;
  if (headers['x-amz-target'] !== 'DynamoDB_20120810.TransactWriteItems') return undefined;
  try {
    const items = (JSON.parse(body.toString('utf8')) as { TransactItems?: unknown[] }).TransactItems ?? [];
    for (const item of items) {
      const id = (item as { Update?: { Key?: { prompt_id?: { S?: unknown } } } }).Update?.Key?.prompt_id?.S;
      if (typeof id === 'string' && !id.startsWith('#')) return id;
    }
  } catch {
    // Not JSON: DynamoDB Local answers it.
  }
  return undefined;
}

export class CompletionWriteFaults {
  private readonly planned = new Map<string, Planned>();

  /** SageMaker's side: this invocation's completion write misbehaves as `fault` says. */
  plan(promptId: string, fault: CompletionWriteFault): void {
    // A failing write's entry outlives its notification (the SDK tries again); none outlives this.
    for (const [id, planned] of this.planned)
      if (Date.now() - planned.plannedAt > STALE_AFTER_MS) this.planned.delete(id);
    let release = () => {};
    const notified = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.planned.set(promptId, { fault, plannedAt: Date.now(), notified, release });
  }

  /** SageMaker's side: the notification was delivered (or dropped); a held write may go. */
  notified(promptId: string): void {
    const planned = this.planned.get(promptId);
    planned?.release();
    // Kept for a failing write's retries; a late one is released and needs nothing more.
    if (planned?.fault === 'completion_write_late') this.planned.delete(promptId);
  }

  /** The DynamoDB front's side: 'refuse' to answer an internal error, else pass (once released). */
  async before(headers: IncomingHttpHeaders, body: Buffer): Promise<'pass' | 'refuse'> {
    const promptId = completedRecordOf(headers, body);
    const planned = promptId === undefined ? undefined : this.planned.get(promptId);
    if (!planned) return 'pass';
    if (planned.fault === 'completion_write_fails') return 'refuse';
    await planned.notified;
    return 'pass';
  }
}
