import type {
  CreateExecuteBody,
  CreateExecuteData,
  CreateInputData,
  GetAboutData,
  GetExecuteData,
  GetUsageData,
  GetUsageQuery,
  ListEndpointsData,
  ListExecutesData,
  ListInputsData,
  ListModelsData,
} from './generated/api-types';

/** One execute as GetExecute answers it (output files with pre-signed URLs). */
export type Execute = GetExecuteData;
export type ExecuteStatus = Execute['status'];
/** Where a running execute is: ComfyUI's node and step, or a stage before it (model download). */
export type Progress = NonNullable<Execute['progress']>;
/** A ListExecutes row: the record without its prompt. */
export type ExecuteSummary = ListExecutesData['executes'][number];
export type CreateExecuteRequest = CreateExecuteBody;
/** A dry run's answer: the API-format prompt that would run, and what ComfyUI would skip. */
export type DryRunResult = Exclude<CreateExecuteData, Execute>;
export type CreatedInput = CreateInputData;
export type UploadedInput = ListInputsData['inputs'][number];
export type Endpoint = ListEndpointsData['endpoints'][number];
export type StoredModel = ListModelsData['models'][number];
/** GET /about: what a client needs beyond the API URL (websocket, console, endpoints). */
export type About = GetAboutData;

export const FINAL_STATUSES: readonly ExecuteStatus[] = ['success', 'failed', 'cancelled'];

/** ComfyUI's API format: node id → class and inputs (links are `[node id, output index]`). */
export type ApiPrompt = Record<
  string,
  { class_type: string; inputs: Record<string, unknown>; _meta?: { title?: string } }
>;

export interface Page<T> {
  items: T[];
  /** Pass back as `startKey` for the next page; null at the end. */
  nextKey: string | null;
}

export interface PageOptions {
  limit?: number;
  startKey?: string;
  signal?: AbortSignal;
}

/** GET /usage: rows per day, key and endpoint, their totals, and the cost estimate's currency. */
export type Usage = GetUsageData;
export type UsageQuery = GetUsageQuery;
