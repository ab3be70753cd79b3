import type { ExecuteRecord } from './execute-record';
import type { ExecuteStatus } from './execute-status';

/**
 * What one finished execute adds to its owner's usage on its endpoint, on the UTC day it ended.
 * Written once, in the same DynamoDB transaction that marks the record counted (usage_counted),
 * so a duplicate completion, notification or Sweeper pass never counts it twice.
 */
export interface UsageDelta {
  owner: string;
  endpoint_name: string;
  /** YYYY-MM-DD (UTC) of complete_time (of its last known time, without one). */
  day: string;
  status: Extract<ExecuteStatus, 'success' | 'failed' | 'cancelled'>;
  /** The time the instance was busy with it: the container's total_ms, else start → end, else 0. */
  gpu_ms: number;
  /** Created → claimed by the container (→ ended when it never ran). */
  queue_ms: number;
  /** Bytes of the output and temp files stored (as the container reported them). */
  output_bytes: number;
  /** For the metrics only (not in the usage table): a run by name's template, ComfyUI's own run. */
  template?: string;
  comfyui_ms?: number;
}

/** The fields a usage delta is read from: the record as it is once final. */
export type FinishedExecute = Pick<
  ExecuteRecord,
  'owner' | 'endpoint_name' | 'create_time' | 'start_time' | 'complete_time' | 'status' | 'timings'
> & { output_bytes?: number | null; template?: { name: string } };

const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
const nonNegative = (ms: number) => (Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0);

/** The day an ISO time falls on, UTC. */
export const usageDay = (iso: string) => iso.slice(0, 10);

/**
 * The usage of a finished execute (GET /usage documents the same rules):
 * - gpu_ms: `timings.total_ms` (claim → answer, the container's own clock) when the container
 *   answered; otherwise complete_time − start_time when it was claimed; otherwise 0;
 * - queue_ms: start_time − create_time when claimed, otherwise complete_time − create_time.
 */
export function usageOf(record: FinishedExecute): UsageDelta {
  const status = record.status;
  if (status !== 'success' && status !== 'failed' && status !== 'cancelled')
    throw new Error(`usage of an unfinished execute (${status})`);
  const started = at(record.start_time);
  const created = at(record.create_time);
  // Every finishing write stamps complete_time; a record without one (written by hand, say) is
  // counted on its last known time, with no time beyond it.
  const stamped = at(record.complete_time);
  const ended = Number.isFinite(stamped) ? stamped : Number.isFinite(started) ? started : created;
  const total = record.timings?.total_ms;
  return {
    owner: record.owner,
    endpoint_name: record.endpoint_name,
    day: usageDay(new Date(Number.isFinite(ended) ? ended : 0).toISOString()),
    status,
    gpu_ms:
      typeof total === 'number'
        ? nonNegative(total)
        : Number.isFinite(started)
          ? nonNegative(ended - started)
          : 0,
    queue_ms: nonNegative((Number.isFinite(started) ? started : ended) - created),
    output_bytes: nonNegative(record.output_bytes ?? 0),
    ...(record.template?.name ? { template: record.template.name } : {}),
    ...(typeof record.timings?.comfyui_ms === 'number' ? { comfyui_ms: record.timings.comfyui_ms } : {}),
  };
}

/** The record once `set` is applied: what a finishing write's usage is computed from. */
export function usageOfFinishing(record: FinishedExecute, set: Partial<FinishedExecute>): UsageDelta {
  return usageOf({ ...record, ...set } as FinishedExecute);
}

/** A finishing change of `record`, carrying the usage it adds in the same write. */
export function withUsage<C extends { set: Partial<FinishedExecute> }>(
  record: FinishedExecute,
  change: C,
): C & { usage: UsageDelta } {
  return { ...change, usage: usageOfFinishing(record, change.set) };
}

/** The counters a row adds up; `executes` is every execute, the next three split it by outcome. */
export const USAGE_COUNTERS = [
  'executes',
  'succeeded',
  'failed',
  'cancelled',
  'gpu_ms',
  'queue_ms',
  'output_bytes',
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];

/** One row of the usage table: an owner's executes on one endpoint on one UTC day, summed. */
export interface UsageRow {
  owner: string;
  endpoint_name: string;
  day: string;
  executes: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  gpu_ms: number;
  queue_ms: number;
  output_bytes: number;
}

/** Where usage rows are read (DynamoDB: lambda/adapters/dynamodb-usage-store.ts). */
export interface UsageStore {
  /** `owner`'s rows from `from` to `to` (days, inclusive), by day then endpoint. */
  ofOwner(owner: string, from: string, to: string): Promise<UsageRow[]>;
  /** Every owner's rows of one day. */
  ofDay(day: string): Promise<UsageRow[]>;
}

/** The GPU seconds per day `owner` may use (gpuSecondsPerDay: its own, else `*`), if capped. */
export function gpuCapOf(caps: Readonly<Record<string, number>>, owner: string): number | undefined {
  return caps[owner] ?? caps['*'];
}
