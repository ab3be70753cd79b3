import { TooManyRequestsError, unfinishedCapMessage } from '../../lambda/domain/errors';
import type { ExecuteRecord } from '../../lambda/domain/execute-record';
import type {
  DeletedRunUsage,
  ExecuteStore,
  ExecuteSummary,
  ListPage,
  ListQuery,
  RecordChange,
  RecordKey,
} from '../../lambda/domain/ports';
import { SUMMARY_KEYS } from '../../lambda/domain/ports';
import { templateGeneration } from '../../lambda/domain/templates/template';
import { type UsageDelta, usageOf } from '../../lambda/domain/usage';

const clone = <T>(value: T): T => structuredClone(value);

/** ExecuteStore with DynamoDB's conditional semantics, in memory, for use-case unit tests. */
export class InMemoryExecuteStore implements ExecuteStore {
  readonly records = new Map<string, ExecuteRecord>();
  readonly writes: string[] = [];
  /** Runs before a conditional write, to simulate a concurrent writer. */
  beforeWrite?: (promptId: string) => void;
  /** Every usage added, in order (the DynamoDB store's usage table rows, unsummed). */
  readonly usage: UsageDelta[] = [];
  /** Finished by a write without usage: still in the pending index, as on DynamoDB. */
  private readonly finishedUncounted = new Set<string>();

  async get(promptId: string) {
    const record = this.records.get(promptId);
    return record ? clone(record) : undefined;
  }

  async createIfAbsent(record: ExecuteRecord, unfinishedCap?: number) {
    this.beforeWrite?.(record.prompt_id);
    if (this.records.has(record.prompt_id)) return false;
    if (unfinishedCap !== undefined && this.unfinishedOf(record.owner) >= unfinishedCap)
      throw new TooManyRequestsError(unfinishedCapMessage(unfinishedCap));
    this.records.set(record.prompt_id, clone(record));
    this.writes.push(`create ${record.prompt_id}`);
    return true;
  }

  async update(key: RecordKey, change: RecordChange) {
    this.beforeWrite?.(key.prompt_id);
    const record = this.records.get(key.prompt_id);
    if (!record || record.owner !== key.owner) return undefined;
    if (change.from && !change.from.includes(record.status)) return undefined;
    if (change.whileSagemakerRawLacks && change.whileSagemakerRawLacks in record.sagemaker_raw)
      return undefined;
    const updated: ExecuteRecord = {
      ...record,
      ...clone(change.set),
      sagemaker_raw: { ...record.sagemaker_raw, ...clone(change.mergeSagemakerRaw ?? {}) },
      ...(change.usage ? { usage_counted: true } : {}),
    } as ExecuteRecord;
    if (change.usage) this.usage.push(clone(change.usage));
    else if (change.set.status && ['success', 'failed', 'cancelled'].includes(change.set.status))
      this.finishedUncounted.add(key.prompt_id);
    this.records.set(key.prompt_id, updated);
    this.writes.push(`update ${key.prompt_id} ${Object.keys(change.set).join(',')}`);
    return clone(updated);
  }

  async listByOwner(query: ListQuery): Promise<ListPage> {
    const all = [...this.records.values()]
      .filter((r) => r.owner === query.owner && (!query.status || r.status === query.status))
      .filter(
        (r) =>
          !query.template ||
          (r.template !== undefined &&
            templateGeneration(r.template.name, r.template.create_time) === query.template),
      )
      .sort((a, b) => (a.create_time < b.create_time ? 1 : a.create_time > b.create_time ? -1 : 0));
    const start = query.cursor ? Number(query.cursor) : 0;
    const page = all.slice(start, start + query.limit);
    const records = page.map(
      (r) => Object.fromEntries(SUMMARY_KEYS.map((key) => [key, clone(r[key])])) as ExecuteSummary,
    );
    return { records, cursor: start + query.limit < all.length ? String(start + query.limit) : null };
  }

  private unfinishedOf(owner: string) {
    return [...this.records.values()].filter(
      (r) => r.owner === owner && (r.status === 'created' || r.status === 'running'),
    ).length;
  }

  async listPendingIds(limit: number) {
    // As the sparse index: unfinished, or final with its usage not yet counted.
    return [...this.records.values()]
      .filter(
        (r) =>
          !['success', 'failed', 'cancelled'].includes(r.status) || this.finishedUncounted.has(r.prompt_id),
      )
      .sort((a, b) => a.deadline_at - b.deadline_at)
      .slice(0, limit)
      .map((r) => r.prompt_id);
  }

  async deleteOwned(promptId: string, owner: string) {
    const record = this.records.get(promptId);
    if (!record || record.owner !== owner) return false;
    this.records.delete(promptId);
    this.writes.push(`delete ${promptId}`);
    if (!record.usage_counted) {
      const usage = usageOf(
        record.status === 'created' || record.status === 'running'
          ? { ...record, status: 'cancelled', complete_time: new Date().toISOString() }
          : record,
      );
      this.usage.push(usage);
      if (record.status === 'running')
        this.deletedRuns.set(record.prompt_path, {
          promptPath: record.prompt_path,
          owner: record.owner,
          endpointName: record.endpoint_name,
          day: usage.day,
          countedGpuMs: usage.gpu_ms,
        });
    }
    return true;
  }

  /** Runs deleted while running (deleted-run-marker.ts), by prompt_path. */
  readonly deletedRuns = new Map<string, DeletedRunUsage & { settled?: boolean }>();

  async deletedRun(promptPath: string) {
    const run = this.deletedRuns.get(promptPath);
    return run && !run.settled ? { ...run } : undefined;
  }

  async settleDeletedRun(run: DeletedRunUsage, totalMs: number) {
    const stored = this.deletedRuns.get(run.promptPath);
    if (!stored || stored.settled) return false;
    stored.settled = true;
    const rest = Math.max(0, Math.round(totalMs) - run.countedGpuMs);
    this.usage.push({
      owner: run.owner,
      endpoint_name: run.endpointName,
      day: run.day,
      status: 'cancelled',
      gpu_ms: rest,
      queue_ms: 0,
      output_bytes: 0,
    });
    return true;
  }

  async countUsage(record: ExecuteRecord) {
    this.beforeWrite?.(record.prompt_id);
    const stored = this.records.get(record.prompt_id);
    if (!stored || stored.owner !== record.owner || stored.status !== record.status || stored.usage_counted)
      return false;
    stored.usage_counted = true;
    this.finishedUncounted.delete(record.prompt_id);
    this.usage.push(usageOf(record));
    this.writes.push(`count usage ${record.prompt_id}`);
    return true;
  }
}
