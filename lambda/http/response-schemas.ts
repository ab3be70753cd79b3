import { z } from 'zod';
import { EXECUTE_STATUSES } from '../domain/execute-status';

/** Response shapes, the source of the OpenAPI document (and checked against real responses in tests). */
export const DebugSchema = z.object({ function_url: z.string(), log_url: z.string(), trace_url: z.string() });

const ComfyErrorSchema = z.object({
  type: z.string(),
  message: z.string(),
  details: z.string(),
  extra_info: z.record(z.string(), z.unknown()),
});

export const ValidationFailureSchema = z.object({
  error: ComfyErrorSchema,
  node_errors: z.record(
    z.string(),
    z.object({
      errors: z.array(ComfyErrorSchema),
      dependent_outputs: z.array(z.string()),
      class_type: z.string(),
    }),
  ),
});

const ProgressSchema = z.object({
  value: z.number(),
  max: z.number(),
  node: z.string().nullable(),
  percent: z.number(),
  stage: z
    .string()
    .optional()
    .describe('before ComfyUI runs: e.g. "downloading loras/x.safetensors", value and max in bytes'),
});
const JsonObject = z.record(z.string(), z.unknown());
const Status = z.enum(EXECUTE_STATUSES);

export const ExecuteSchema = z.object({
  prompt_id: z.string(),
  need_sync: z.boolean(),
  sagemaker_raw: JsonObject,
  prompt_path: z.string(),
  endpoint_name: z.string(),
  status: Status,
  create_time: z.string().describe('UTC ISO-8601'),
  inference_type: z.literal('Async'),
  start_time: z.string().describe('"" until the run starts'),
  prompt_params: z.object({
    prompt: JsonObject.optional(),
    number: z.union([z.string(), z.number()]).nullish(),
    front: z.boolean().nullish(),
    extra_data: JsonObject.nullish(),
    client_id: z.string().nullish(),
  }),
  output_path: z.string(),
  complete_time: z.string().nullable(),
  output_files: z.array(z.string()).describe('pre-signed GET URLs'),
  temp_path: z.string(),
  temp_files: z.array(z.string()).describe('pre-signed GET URLs'),
  outputs: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .nullable()
    .describe(
      "ComfyUI's per-node outputs as /history reports them (null until the run answers); every file item carries its S3 `key` and a pre-signed GET `url`, and text, numbers and lists are as ComfyUI reported them. Asked inline (GetExecute `?inline=1`, CreateExecute `inline` with `wait`), a file item up to 256 KB (1 MB in all, in order) also carries `data` (base64) and `content_type`; one without `data` is downloaded from its `url`",
    ),
  message: z.string(),
  timings: z
    .record(z.string(), z.number())
    .nullable()
    .optional()
    .describe(
      'where the run went (ms), as the endpoint measured it: model_download_ms, comfyui_ms, total_ms',
    ),
  webhook: z
    .object({
      url: z.string(),
      events: z.array(z.enum(['running', 'success', 'failed', 'cancelled'])),
      status: z.enum(['pending', 'delivered', 'retrying', 'failed']),
      event: z.enum(['running', 'success', 'failed', 'cancelled']).nullable(),
      attempts: z.number().int(),
      last_error: z.string().nullable(),
      delivered_at: z.string().nullable(),
    })
    .nullish()
    .describe("the webhook given at create time and its last delivery's state"),
  progress: ProgressSchema.nullable(),
  current_node: z.string().nullish().describe('The node ComfyUI runs now (while running)'),
  started_nodes: z
    .array(z.string())
    .optional()
    .describe('Every node ComfyUI has started on this prompt, in order'),
  owner: z.string(),
  inference_id: z.string().nullable(),
  expires_at: z.number().int(),
  deadline_at: z.number().int().describe('epoch seconds by which SageMaker must have answered'),
  multi_async: z.boolean(),
  workflow: z.string().nullable(),
  workflow_name: z.string().nullable(),
  template: z
    .object({ name: z.string(), create_time: z.string(), inputs: JsonObject })
    .optional()
    .describe('a run by name (POST /schemas/{name}/executes): the template and the values the caller gave'),
  need_prepare: z.boolean(),
  prepare_props: JsonObject.nullable(),
  cancel_requested: z.boolean(),
  error: JsonObject.nullable(),
  workflow_path: z.string().nullable().describe('the UI workflow the prompt was converted from'),
});

export const DryRunDataSchema = z.object({
  prompt: JsonObject.describe('the API-format prompt that would run'),
  node_errors: z.record(z.string(), z.unknown()).describe('errors of output nodes ComfyUI would skip'),
  warnings: z.array(z.string()),
});

export const ExecuteListDataSchema = z.object({
  executes: z.array(
    ExecuteSchema.pick({
      prompt_id: true,
      endpoint_name: true,
      status: true,
      create_time: true,
      start_time: true,
      need_sync: true,
      complete_time: true,
      output_path: true,
      output_files: true,
      temp_path: true,
      temp_files: true,
      outputs: true,
      message: true,
      progress: true,
    }),
  ),
  last_evaluated_key: z.string().nullable().describe('pass back as exclusive_start_key; null at the end'),
});

export const ExecuteLogsDataSchema = z.object({
  results: z.array(z.object({ timestamp: z.string(), message: z.string(), logStream: z.string() })),
});

export const EndpointListDataSchema = z.object({
  endpoints: z.array(
    z.object({
      EndpointDeploymentJobId: z.string(),
      endpoint_name: z.string(),
      startTime: z.string().nullable(),
      endTime: z.string().nullable(),
      endpoint_status: z.string(),
      autoscaling: z.boolean(),
      owner_group_or_role: z.array(z.string()),
      current_instance_count: z.string(),
      min_instance_number: z.string(),
      max_instance_number: z.string(),
      instance_type: z.string(),
      endpoint_type: z.literal('Async'),
      custom_extensions: z.string(),
      service_type: z.literal('comfy'),
      error: z.string(),
    }),
  ),
  last_evaluated_key: z.null(),
});

/** ESD's envelope around a `data` schema; `data` and `message` disappear when falsy. */
export function envelopeSchema(statusCode: number, data?: z.ZodType) {
  return z.object({
    statusCode: z.literal(statusCode),
    debug: DebugSchema,
    ...(data ? { data: data.optional() } : {}),
    message: z.string().optional(),
  });
}

/** API Gateway's own answers (missing key, unknown route). */
export const GatewayErrorSchema = z.object({ message: z.string(), requestId: z.string().optional() });

const StoredInputSchema = z.object({
  name: z.string().describe('what a prompt puts in the file input, e.g. "image": name'),
  filename: z.string().describe('the file name it was uploaded as'),
  content_type: z.string(),
  size: z.number().int(),
  uploaded_at: z.string().describe('UTC ISO-8601'),
  expires_at: z.number().int().describe('epoch seconds after which the input is removed'),
  sha256: z.string().optional().describe('hex SHA-256 of the bytes, when the upload declared it'),
});

export const CreatedInputSchema = z.object({
  name: z.string().describe('what a prompt puts in the file input, e.g. "image": name'),
  filename: z.string(),
  content_type: z.string(),
  size: z.number().int(),
  s3_uri: z.string().describe('the s3:// URI of the input once uploaded'),
  upload: z.object({
    method: z.literal('PUT'),
    url: z.string().describe('presigned S3 URL that accepts exactly this size and content type'),
    headers: z.record(z.string(), z.string()).describe('send these headers with the PUT'),
    expires_at: z.string().describe('when the upload URL stops working (UTC ISO-8601)'),
  }),
  expires_at: z.number().int().describe('epoch seconds after which the uploaded input is removed'),
});

export const InputListDataSchema = z.object({
  inputs: z.array(StoredInputSchema),
  last_evaluated_key: z.string().nullable().describe('pass back as exclusive_start_key; null at the end'),
  s3_prefix: z
    .string()
    .describe("the caller's inputs prefix: s3:// sources and prepare_props.s3_source_path may name it"),
});

export const StoredModelSchema = z.object({
  folder: z.string(),
  name: z.string().describe('what a loader names: the path under the folder'),
  size: z.number().int(),
  sha256: z
    .string()
    .nullable()
    .describe('hex SHA-256, when the uploader gave one (an import always has one)'),
  source: z.string().nullable().describe('the URL the model was imported from; null for an upload'),
  last_modified: z.string().describe('UTC ISO-8601'),
});

export const ModelUploadSchema = z.object({
  folder: z.string(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string().nullable(),
  upload_id: z.string().describe('pass back to POST /models/complete'),
  part_size: z.number().int(),
  parts: z.array(
    z.object({
      part_number: z.number().int(),
      size: z.number().int().describe('this part accepts exactly this many bytes'),
      url: z.string().describe('presigned PUT; its answer carries the ETag to complete with'),
    }),
  ),
  expires_at: z.string().describe('when the part URLs stop working (UTC ISO-8601)'),
});

export const ModelListDataSchema = z.object({
  models: z.array(StoredModelSchema),
  last_evaluated_key: z.string().nullable().describe('pass back as exclusive_start_key; null at the end'),
});

export const PrepareDataSchema = z.object({
  endpoint_name: z.string(),
  prepare_type: z.string(),
  s3_source_path: z.string(),
  prepared: z.array(z.object({ name: z.string(), size: z.number().int() })),
  prepareSuccess: z.literal(true),
});

export const PrepareStatusSchema = z.object({
  endpoint_name: z.string(),
  prepareSuccess: z.boolean(),
});

export const WebhookSecretSchema = z.object({
  secret: z
    .string()
    .describe("Standard Webhooks' whsec_… secret: verify each delivery's webhook-signature with it"),
  previous: z
    .object({ secret: z.string(), valid_until: z.string().describe('UTC ISO-8601') })
    .optional()
    .describe('after a rotation: the old secret, which also signs deliveries until valid_until'),
});

export const AboutSchema = z.object({
  version: z.string().describe("comfy-exec's version"),
  api_version: z.string().describe("ESD's API version (the x-api-version header)"),
  region: z.string(),
  websocket_url: z.string().nullable().describe("ComfyUI's websocket (connect with the x-api-key header)"),
  console_url: z.string().nullable().describe('the web console'),
  endpoints_default: z.string().describe('the endpoint of executes that name none'),
  endpoints: z.array(
    z.object({
      endpoint_name: z.string(),
      log_url: z.string().describe("the endpoint's container logs in the CloudWatch console"),
    }),
  ),
});
