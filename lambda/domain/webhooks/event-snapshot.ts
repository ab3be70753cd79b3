import type { ExecuteRecord } from '../execute-record';
import type { WebhookEvent } from './webhook-spec';

/**
 * An execute as it was when one of its webhook events happened (the stream's new image), carried
 * in the queued delivery so that every attempt, however late, sends that state: a `running`
 * retried after the execute ended still says running.
 */
export interface ExecuteSnapshot {
  /** The record at the event, less what the delivery reads from the record it reads anyway. */
  record: Partial<ExecuteRecord>;
  /** Fields left out to keep the message small: taken from the record read at delivery. */
  omitted: (keyof ExecuteRecord)[];
  /** When the event happened (UTC ISO-8601): the payload's `timestamp`. */
  occurred_at: string;
}

/**
 * Taken from the record read at delivery, never from the snapshot: the prompt never changes after
 * the create (and is the bulk of a record), and the webhook's own delivery state is the
 * deliveries' to write. Identity stays the stored record's.
 */
const READ_AT_DELIVERY = ['prompt_params', 'webhook', 'prompt_id', 'owner'] as const;

/** The stream image's index attributes: the store never shows them, nor may a payload. */
const INDEX_ONLY = ['owner_status', 'pending'] as const;

/**
 * What may be left out when a snapshot is too big for a queue message: the files and outputs,
 * which are written once, with the final status, so the record read later has the same.
 */
const BULKY: (keyof ExecuteRecord)[] = [
  'outputs',
  'outputs_location',
  'output_files',
  'temp_files',
  'started_nodes',
];

/** What a snapshot always keeps: the event's state, and the identity a delivery checks. */
const ESSENTIAL = [
  'status',
  'request_hash',
  'create_time',
  'start_time',
  'complete_time',
  'message',
  'progress',
  'cancel_requested',
] as const;

/** Under SQS's 256 KiB message limit with room for the delivery around it. */
export const MAX_SNAPSHOT_BYTES = 200 * 1024;

function without(record: Partial<ExecuteRecord>, keys: readonly string[]): Partial<ExecuteRecord> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

const isTime = (value: string | null | undefined): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** When the event happened: the record's own time of the change, else when the stream saw it. */
function occurredAt(record: ExecuteRecord, event: WebhookEvent, streamTime: Date | undefined): string {
  const own = event === 'running' ? record.start_time : record.complete_time;
  if (isTime(own)) return own;
  return streamTime ? streamTime.toISOString() : record.create_time;
}

/** The snapshot of `record` (the stream's new image) for one of its events. */
export function eventSnapshot(
  record: ExecuteRecord,
  event: WebhookEvent,
  streamTime: Date | undefined,
): ExecuteSnapshot {
  const whole = without(record, [...READ_AT_DELIVERY, ...INDEX_ONLY]);
  const occurred_at = occurredAt(record, event, streamTime);
  const fits = (part: Partial<ExecuteRecord>) =>
    new TextEncoder().encode(JSON.stringify(part)).length <= MAX_SNAPSHOT_BYTES;
  if (fits(whole)) return { record: whole, omitted: [], occurred_at };
  const lean = without(whole, BULKY);
  if (fits(lean)) return { record: lean, omitted: BULKY, occurred_at };
  // Still too big (fields a client filled up to the record's limit): the state of the event and
  // the identity the delivery checks; the rest as read at delivery. A message SQS refuses would
  // hold back every later event of its stream shard.
  const essential = Object.fromEntries(
    Object.entries(whole).filter(([key]) => (ESSENTIAL as readonly string[]).includes(key)),
  ) as Partial<ExecuteRecord>;
  const omitted = Object.keys(whole).filter((key) => !(ESSENTIAL as readonly string[]).includes(key));
  return { record: essential, omitted: omitted as (keyof ExecuteRecord)[], occurred_at };
}

/**
 * The record to show for a delivery: the snapshot, completed from the record read now (the
 * prompt, the webhook state, and anything omitted). A delivery queued before snapshots existed
 * has none: the record read now is all there is.
 */
export function recordAtEvent(current: ExecuteRecord, snapshot: ExecuteSnapshot | undefined): ExecuteRecord {
  if (!snapshot) return current;
  const fromCurrent = [...READ_AT_DELIVERY, ...snapshot.omitted].filter((key) => key in current);
  const taken = Object.fromEntries(fromCurrent.map((key) => [key, current[key as keyof ExecuteRecord]]));
  return { ...without(snapshot.record, fromCurrent), ...taken } as ExecuteRecord;
}
