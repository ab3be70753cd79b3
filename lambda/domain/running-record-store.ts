import type { ExecuteRecord } from './execute-record';
import type { RecordChange, RecordKey } from './ports';

/**
 * What an endpoint container may do to records: read one, and move one it runs forward (claim,
 * progress). Its writes answer with the key and whether a cancel was asked for, not the whole
 * record: the container's IAM role may name only the attributes it writes (dynamodb:Attributes),
 * and may not ask for ALL_NEW.
 */
export interface RunningRecordStore {
  get(promptId: string): Promise<ExecuteRecord | undefined>;
  /** As ExecuteStore.update; undefined when the record is missing or the condition did not hold. */
  update(key: RecordKey, change: RecordChange): Promise<RunningRecordView | undefined>;
  /**
   * The run's end, written by the container as it answers: running → final (its place under the
   * owner's cap freed in the same write). False when refused: no longer running, so settled by
   * someone else (the notification, the Sweeper, a delete), whose write stands.
   */
  complete(key: RecordKey, change: RecordChange): Promise<boolean>;
}

export type RunningRecordView = RecordKey & Pick<ExecuteRecord, 'cancel_requested'>;

/** The attributes a container's progress change may set (`owner_status` follows `status`). */
export const RUNNING_RECORD_WRITES = [
  'status',
  'start_time',
  'progress',
  'current_node',
  'started_nodes',
] as const;

/** What the container's completion sets besides `status` (execute-completion.ts builds it). */
export const COMPLETION_WRITES = [
  'status',
  'complete_time',
  'message',
  'error',
  'outputs',
  'output_path',
  'output_files',
  'temp_path',
  'temp_files',
  'timings',
  'output_bytes',
] as const;
