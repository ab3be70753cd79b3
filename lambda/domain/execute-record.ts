import { exactJsonText } from './exact-json';
import type { ExecuteOutputs } from './execute-outputs';
import type { ExecuteStatus } from './execute-status';
import type { PromptGraph } from './prompt-graph';
import { holdsNumberRecordsCannotKeep } from './prompt-storage';
import type { ExecuteTemplate } from './templates/template';
import type { WebhookEvent, WebhookSpec } from './webhooks/webhook-spec';

/** ComfyUI's queue parameters, kept beside the prompt as ESD does. */
export interface PromptParams {
  /** The API-format graph; absent from the stored item when it lives only in S3 (`prompt_location: 's3'`). */
  prompt?: PromptGraph;
  number?: string | number | null;
  front?: boolean | null;
  extra_data?: Record<string, unknown> | null;
  client_id?: string | null;
}

/** A webhook the execute was created with, and its last delivery's state (issue 18). */
export interface ExecuteWebhook {
  url: string;
  events: WebhookEvent[];
  /** `pending` until a delivery is tried; then delivered, retrying, or failed (given up). */
  status: 'pending' | 'delivered' | 'retrying' | 'failed';
  /** The event the state is about: the last one fired. */
  event: WebhookEvent | null;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

/** What the container last reported while ComfyUI ran the prompt. */
export interface ExecuteProgress {
  value: number;
  max: number;
  node: string | null;
  percent: number;
  /** What is happening before ComfyUI runs, e.g. `downloading loras/x.safetensors` (value/max in bytes). */
  stage?: string;
}

/**
 * One execute, as stored (one DynamoDB item) and, minus the internal fields, as returned by
 * GetExecute. The first block carries every key of ESD's GetExecute `data` with ESD's types.
 */
export interface ExecuteRecord {
  prompt_id: string;
  need_sync: boolean;
  sagemaker_raw: Record<string, unknown>;
  prompt_path: string;
  endpoint_name: string;
  status: ExecuteStatus;
  create_time: string;
  inference_type: 'Async';
  start_time: string;
  prompt_params: PromptParams;
  output_path: string;

  complete_time: string | null;
  output_files: string[];
  temp_path: string;
  temp_files: string[];
  message: string;
  progress: ExecuteProgress | null;
  /**
   * The node ComfyUI runs now, as the container last wrote it (ComfyUI's `executing`); absent
   * before the run and on records written before it existed. The websocket says it from here.
   */
  current_node?: string | null;
  /** Every node ComfyUI has started on this prompt, in order (the websocket's `executing` for each). */
  started_nodes?: string[];
  owner: string;
  inference_id: string | null;
  /** Epoch seconds; DynamoDB TTL removes the record after it. */
  expires_at: number;
  /**
   * Epoch seconds by which SageMaker must have answered (queue TTL + invocation timeout +
   * margin); past it the Sweeper settles the execute so it is never stuck created or running.
   */
  deadline_at: number;

  multi_async: boolean;
  workflow: string | null;
  workflow_name: string | null;
  need_prepare: boolean;
  prepare_props: Record<string, unknown> | null;
  cancel_requested: boolean;
  /** Structured failure (ComfyUI's node errors, exception, failure object) when status is failed. */
  error: Record<string, unknown> | null;
  /** The UI workflow the prompt was converted from (s3:// URI), or null for an API-format prompt. */
  workflow_path: string | null;
  /**
   * ComfyUI's per-node outputs (files, text, numbers) once the run answered; null before, and
   * when they were too large for the item (then `outputs_location` names the result object).
   */
  outputs: ExecuteOutputs | null;
  /** The webhook told of this execute's events, and how its last delivery went; absent without one. */
  webhook?: ExecuteWebhook | null;
  /** The template it was run from by name, and its caller's values; absent for a prompt sent whole. */
  template?: ExecuteTemplate;
  /** Where the run's time went, as the container measured it (ms): `model_download_ms`, `comfyui_ms`, `total_ms`. */
  timings?: Record<string, number> | null;
  /** Bytes of the output and temp files stored, as the container reported them; absent before the end. */
  output_bytes?: number | null;

  /** Internal: digest of the normalized request, for idempotent retries. */
  request_hash: string;
  /** Internal: where the prompt graph lives; 's3' when too big for one item (then read prompt_path). */
  prompt_location: 'inline' | 's3';
  /** Internal: the result object holding `outputs` when they were too large for the item. */
  outputs_location?: string;
  /** Internal: its usage is in the usage table (written once, in the same transaction). */
  usage_counted?: boolean;
}

/** Keys that never leave the service. */
export const INTERNAL_RECORD_KEYS = [
  'request_hash',
  'prompt_location',
  'outputs_location',
  'usage_counted',
] as const;

export type PublicExecute = Omit<ExecuteRecord, (typeof INTERNAL_RECORD_KEYS)[number]>;

/** The order keys are shown in: seed 000's, then ours (DynamoDB returns attributes in any order). */
const PUBLIC_KEY_ORDER: readonly (keyof PublicExecute)[] = [
  'prompt_id',
  'need_sync',
  'sagemaker_raw',
  'prompt_path',
  'endpoint_name',
  'status',
  'create_time',
  'inference_type',
  'start_time',
  'prompt_params',
  'output_path',
  'complete_time',
  'output_files',
  'temp_path',
  'temp_files',
  'outputs',
  'timings',
  'output_bytes',
  'webhook',
  'message',
  'error',
  'progress',
  'current_node',
  'started_nodes',
  'cancel_requested',
  'owner',
  'inference_id',
  'deadline_at',
  'expires_at',
  'multi_async',
  'workflow',
  'workflow_name',
  'template',
  'need_prepare',
  'prepare_props',
];

export function toPublicExecute(record: ExecuteRecord): PublicExecute {
  const {
    request_hash: _hash,
    prompt_location: _location,
    outputs_location: _outputs,
    usage_counted: _counted,
    ...rest
  } = record;
  const ordered: Record<string, unknown> = {};
  for (const key of PUBLIC_KEY_ORDER) if (key in rest) ordered[key] = rest[key];
  // Attributes a newer writer added stay visible after the known ones.
  for (const [key, value] of Object.entries(rest)) if (!(key in ordered)) ordered[key] = value;
  return ordered as PublicExecute;
}

/** ESD's ExecuteEvent after defaults are applied and the endpoint is resolved. */
export interface ExecuteRequest {
  prompt_id: string;
  prompt: PromptGraph;
  endpoint_name: string;
  need_sync: boolean;
  number: string | number | null;
  front: boolean | null;
  extra_data: Record<string, unknown> | null;
  client_id: string | null;
  workflow: string | null;
  workflow_name: string | null;
  need_prepare: boolean;
  prepare_props: Record<string, unknown> | null;
  multi_async: boolean;
  /** Checked by CreateExecute; the record keeps it with its delivery state. */
  webhook?: WebhookSpec;
  /** A run by name: the template and the caller's values (POST /schemas/{name}/executes). */
  template?: ExecuteTemplate;
}

export interface NewRecordContext {
  owner: string;
  now: Date;
  promptPath: string;
  requestHash: string;
  retentionDays: number;
  /** Longest SageMaker may take to answer: RequestTTLSeconds + InvocationTimeoutSeconds. */
  answerWithinSeconds: number;
  promptLocation: 'inline' | 's3';
  workflowPath: string | null;
}

/** Slack past SageMaker's own limits before the Sweeper calls an execute lost. */
export const DEADLINE_MARGIN_SECONDS = 300;

/**
 * ComfyUI's credentials for its paid API nodes travel in extra_data (ComfyUI itself moves them to
 * a slot it never shows). The container needs them, so the staged request keeps them; the record,
 * and so every response, only says they were given.
 */
export const SECRET_EXTRA_DATA_KEYS = ['api_key_comfy_org', 'auth_token_comfy_org'] as const;
export const REDACTED = '[redacted]';

export function redactExtraData(extraData: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!extraData || !SECRET_EXTRA_DATA_KEYS.some((key) => key in extraData)) return extraData;
  const copy = { ...extraData };
  for (const key of SECRET_EXTRA_DATA_KEYS) if (key in copy) copy[key] = REDACTED;
  return copy;
}

/**
 * extra_data bigger than this (a UI workflow a ComfyUI frontend sends as `extra_pnginfo`) stays in
 * the staged request only: a DynamoDB item holds at most 400 KB, and the record would not be
 * written at all. The record says so, and GetExecute reads it back from the request.
 */
export const MAX_RECORDED_EXTRA_DATA_BYTES = 64 * 1024;
export const STAGED_EXTRA_DATA_NOTE = 'too large for the record: kept in the staged request';

function recordedExtraData(extraData: Record<string, unknown> | null): Record<string, unknown> | null {
  const redacted = redactExtraData(extraData);
  if (!redacted) return redacted;
  const bytes = new TextEncoder().encode(exactJsonText(redacted)).length;
  // A 64-bit integer would come back from DynamoDB rounded: the staged request keeps it exact.
  return bytes <= MAX_RECORDED_EXTRA_DATA_BYTES && !holdsNumberRecordsCannotKeep(redacted)
    ? redacted
    : { comfy_exec_extra_data: STAGED_EXTRA_DATA_NOTE };
}

/** True when the record kept only a note that its extra_data is in the staged request. */
export const extraDataIsStaged = (record: ExecuteRecord) =>
  record.prompt_params.extra_data?.comfy_exec_extra_data === STAGED_EXTRA_DATA_NOTE;

export function newExecuteRecord(request: ExecuteRequest, context: NewRecordContext): ExecuteRecord {
  const params: PromptParams = {
    number: request.number,
    front: request.front,
    extra_data: recordedExtraData(request.extra_data),
    client_id: request.client_id,
  };
  if (context.promptLocation === 'inline') params.prompt = request.prompt;
  return {
    prompt_id: request.prompt_id,
    need_sync: request.need_sync,
    sagemaker_raw: {},
    prompt_path: context.promptPath,
    endpoint_name: request.endpoint_name,
    status: 'created',
    create_time: context.now.toISOString(),
    inference_type: 'Async',
    start_time: '',
    prompt_params: params,
    output_path: '',
    complete_time: null,
    output_files: [],
    temp_path: '',
    temp_files: [],
    message: '',
    progress: null,
    owner: context.owner,
    inference_id: null,
    expires_at: Math.floor(context.now.getTime() / 1000) + context.retentionDays * 86_400,
    deadline_at:
      Math.ceil(context.now.getTime() / 1000) + context.answerWithinSeconds + DEADLINE_MARGIN_SECONDS,
    multi_async: request.multi_async,
    workflow: request.workflow,
    workflow_name: request.workflow_name,
    need_prepare: request.need_prepare,
    prepare_props: request.prepare_props,
    cancel_requested: false,
    error: null,
    workflow_path: context.workflowPath,
    outputs: null,
    request_hash: context.requestHash,
    prompt_location: context.promptLocation,
    ...(request.template ? { template: request.template } : {}),
    ...(request.webhook
      ? {
          webhook: {
            ...request.webhook,
            status: 'pending' as const,
            event: null,
            attempts: 0,
            last_error: null,
            delivered_at: null,
          },
        }
      : {}),
  };
}
