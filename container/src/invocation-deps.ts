import type { S3Client } from '@aws-sdk/client-s3';
import type { InputBinding, StagedInputFile } from '../../lambda/domain/inputs/staged-inputs';
import type { RunningRecordStore } from '../../lambda/domain/running-record-store';
import type { StagedModelFile } from '../../lambda/use-cases/execute-models';
import type { ComfyUiClient } from './comfy-client';
import type { ContainerConfig } from './config';
import type { ModelCache } from './model-cache';

export interface InvocationDeps {
  store: RunningRecordStore;
  comfy: ComfyUiClient;
  s3: S3Client;
  config: Pick<
    ContainerConfig,
    | 'BUCKET_NAME'
    | 'PROGRESS_WRITE_INTERVAL_MS'
    | 'CANCEL_POLL_MS'
    | 'COMFYUI_TIMEOUT_SECONDS'
    | 'COMFYUI_REQUEST_TIMEOUT_MS'
    | 'COMFYUI_INPUT_DIR'
    | 'COMFYUI_OUTPUT_DIR'
    | 'COMFYUI_TEMP_DIR'
    | 'INPUT_MAX_BYTES'
    | 'INPUT_FETCH_TIMEOUT_SECONDS'
    | 'ALLOW_LOOPBACK_INPUT_URLS'
  >;
  log: InvocationLog;
  /** How often /history is asked when websocket frames go missing. */
  historyPollMs?: number;
  /** The AWS calls this invocation has made so far (logged with its answer). */
  awsCalls?: () => Record<string, number>;
  /** The endpoint's cache of library models (one per container process). */
  models?: ModelCache;
}

type LogFields = Record<string, unknown>;
/** The structured log a run writes to (Powertools Logger in the image). */
export interface InvocationLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface StagedRequest {
  prompt_id: string;
  /** Who created the execute (CreateExecute stages it); absent in requests staged before it did. */
  owner?: string;
  /** The digest naming the record's own request (absent in requests staged before issue 30). */
  request_hash?: string;
  prompt: Record<string, unknown>;
  client_id?: string | null;
  extra_data?: Record<string, unknown> | null;
  number?: string | number | null;
  front?: boolean | null;
  /** Files for ComfyUI's input folder, and the prompt inputs that read them (CreateExecute stages both). */
  input_files?: StagedInputFile[];
  input_bindings?: InputBinding[];
  /** Library models the endpoint must have before ComfyUI sees the prompt. */
  model_files?: StagedModelFile[];
  /**
   * Errors of the outputs CreateExecute refused and left out of `prompt` (ComfyUI's node_errors
   * shape): reported with the result as ComfyUI's own skipped outputs are.
   */
  skipped_node_errors?: Record<string, unknown>;
}
