// zod/mini: the functions that parse these (create, list, delete) then carry no zod classic.
// Each schema is built on first call (`XxxSchema()`): a function's bundle keeps only those it
// parses with, and its cold start builds none (building all of them took ~5 ms of each import).
import * as z from 'zod/mini';
import { exactJsonText } from '../domain/exact-json';
import { EXECUTE_STATUSES } from '../domain/execute-status';
import { PROMPT_ID_PATTERN } from '../domain/prompt-id';
import { holdsNumberRecordsCannotKeep, SMALLEST_RECORD_NUMBER } from '../domain/prompt-storage';
import { TEMPLATE_NAME_PATTERN } from '../domain/templates/template';
import { MAX_WAIT_SECONDS } from '../use-cases/wait-for-execute';
import { lazySchema } from './lazy-schema';

export const PromptIdSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(PROMPT_ID_PATTERN, 'must be a canonical lowercase UUID (8-4-4-4-12 hex digits)'),
      z.describe(
        'Execution id: the DynamoDB key, the SageMaker InferenceId, the S3 prefix and ComfyUI prompt_id',
      ),
    ),
);

/** SageMaker endpoint names: 1–63 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`. */
const EndpointNameSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(z.maxLength(63), z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, 'is not a SageMaker endpoint name')),
);

const JsonObjectSchema = /* @__PURE__ */ lazySchema(() => z.record(z.string(), z.unknown()));

/**
 * Fields the record keeps as sent: bounded, so a create can never make the record too big for
 * DynamoDB (a 500) or its stream events too big for a webhook message (extra_data, which may be
 * large, is kept with the staged request instead).
 */
const MAX_PREPARE_PROPS_BYTES = 16 * 1024;
const SmallJsonObjectSchema = /* @__PURE__ */ lazySchema(() =>
  JsonObjectSchema().check(
    z.refine((value) => new TextEncoder().encode(exactJsonText(value)).length <= MAX_PREPARE_PROPS_BYTES, {
      message: `must be at most ${MAX_PREPARE_PROPS_BYTES} bytes of JSON`,
    }),
    z.refine((value) => !holdsNumberRecordsCannotKeep(value), {
      message: `holds a number past 2^53-1 (${Number.MAX_SAFE_INTEGER}) or nearer zero than ${SMALLEST_RECORD_NUMBER}, which the record cannot keep exactly: send it as a string`,
    }),
  ),
);

const WAIT_MESSAGE = `must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`;

const described = <S extends z.ZodMiniType>(schema: S, description: string) =>
  schema.check(z.describe(description));

/**
 * ESD's ExecuteEvent: every field ESD accepts, nothing else. `prompt` is checked here only for
 * presence; its graph is validated by the domain.
 */
export const CreateExecuteBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    prompt_id: z.nullish(PromptIdSchema()),
    prompt: described(z.unknown(), 'ComfyUI API-format prompt: node id → {class_type, inputs}'),
    endpoint_name: z.nullish(z.union([EndpointNameSchema(), z.literal('')])),
    need_sync: described(z.nullish(z.boolean()), 'ESD: stream progress events; stored, default true'),
    // Kept in the record: a number it could not hold exactly is refused (1e21 could not even be read
    // back; a 64-bit integer arrives as a bigint, which neither option takes).
    number: described(
      z.nullish(
        z.union(
          [
            z.string().check(z.maxLength(100)),
            z.number().check(
              z.minimum(-Number.MAX_SAFE_INTEGER),
              z.maximum(Number.MAX_SAFE_INTEGER),
              z.refine(
                (n) => n === 0 || Math.abs(n) >= SMALLEST_RECORD_NUMBER,
                `must be 0 or at least ${SMALLEST_RECORD_NUMBER} in size (DynamoDB's smallest)`,
              ),
            ),
          ],
          { error: 'must be a string, or a number within ±(2^53-1); send a larger one as a string' },
        ),
      ),
      'ComfyUI queue priority',
    ),
    front: described(z.nullish(z.boolean()), 'ComfyUI: queue at the front'),
    extra_data: described(z.nullish(JsonObjectSchema()), 'ComfyUI extra_data, passed through untouched'),
    client_id: described(z.nullish(z.string().check(z.maxLength(256))), 'ComfyUI client id'),
    workflow: described(
      z.nullish(
        z
          .string()
          .check(
            z.maxLength(256),
            z.regex(
              /^[A-Za-z][A-Za-z0-9_]*$/,
              'must start with a letter and hold only letters, digits and _',
            ),
          ),
      ),
      'metrics label',
    ),
    workflow_name: described(
      z.nullish(EndpointNameSchema()),
      'ESD: run on endpoint comfy-async-{workflow_name}',
    ),
    need_prepare: z.nullish(z.boolean()),
    prepare_props: z.nullish(SmallJsonObjectSchema()),
    multi_async: z.nullish(z.boolean()),
    dry_run: described(z.nullish(z.boolean()), 'validate (and convert) only: nothing is stored or run'),
    webhook: described(
      z.nullish(
        z.strictObject({
          url: z.string().check(z.maxLength(2048)),
          events: z.optional(z.array(z.string()).check(z.maxLength(4))),
        }),
      ),
      'POST the execute to this URL (https) on its events (running, success, failed, cancelled; default the last three), signed as Standard Webhooks',
    ),
    inputs: described(
      z.nullish(z.record(z.string(), z.string())),
      'files for this execute only, by the file name the prompt uses: a data: URL or base64 data, an https:// URL, or an s3:// URI (your inputs prefix or a bucket the operator allowed)',
    ),
    wait: described(
      z.nullish(
        z
          .number({ error: WAIT_MESSAGE })
          .check(z.int(WAIT_MESSAGE), z.minimum(0, WAIT_MESSAGE), z.maximum(MAX_WAIT_SECONDS, WAIT_MESSAGE)),
      ),
      `seconds to hold the answer for the execute's end (at most ${MAX_WAIT_SECONDS}, API Gateway's limit): 201 with the finished execute (files signed, as GetExecute shows it) when it ends in time, else 202 with the execute as it is and a Location header to poll; not part of the request's identity (a retry may wait differently)`,
    ),
    inline: described(
      z.nullish(z.boolean()),
      "with `wait`: a finished execute's output files up to 256 KB each (1 MB in all) also carried as base64 `data` with their `content_type`, beside their signed `url`",
    ),
  }),
);
export type CreateExecuteBody = z.infer<ReturnType<typeof CreateExecuteBodySchema>>;

const INLINE_MESSAGE =
  'must be 1 or true (files up to 256 KB each, 1 MB in all, inline as base64), or 0 or false';

/** GetExecute's query: other parameters are ignored, as ESD ignores them. */
export const GetExecuteQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.object({
    inline: described(
      z.optional(
        z.pipe(
          z.enum(['1', 'true', '0', 'false'], { error: INLINE_MESSAGE }),
          z.transform((value) => value === '1' || value === 'true'),
        ),
      ),
      '1: each output file up to 256 KB (1 MB in all) also carried as base64 `data` with its `content_type`, beside its signed `url`',
    ),
  }),
);

export const DeleteExecutesBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    execute_id_list: z
      .array(z.string().check(z.minLength(1), z.maxLength(256)))
      .check(z.minLength(1), z.maxLength(100)),
  }),
);

const LIMIT_MESSAGE = 'must be an integer from 1 to 100';

/** The paging every list route takes: `limit` 1–100 (default 10) and the previous page's key. */
export const pageQuery = () => ({
  limit: z._default(
    z.coerce
      .number({ error: LIMIT_MESSAGE })
      .check(z.int(LIMIT_MESSAGE), z.minimum(1, LIMIT_MESSAGE), z.maximum(100, LIMIT_MESSAGE)),
    10,
  ),
  exclusive_start_key: z.optional(z.string().check(z.minLength(1))),
});

export const ListExecutesQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...pageQuery(),
    status: z.optional(z.enum(EXECUTE_STATUSES)),
    template: described(
      z.optional(z.string().check(z.regex(TEMPLATE_NAME_PATTERN, 'is not a template name'))),
      'only the executes run from this template (POST /schemas/{name}/executes)',
    ),
  }),
);

const DAY_TEXT = () => z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date YYYY-MM-DD'));

export const UsageQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    from: described(z.optional(DAY_TEXT()), 'first UTC day, inclusive (default: the first of this month)'),
    to: described(z.optional(DAY_TEXT()), 'last UTC day, inclusive (default: today)'),
    endpoint_name: described(z.optional(EndpointNameSchema()), 'only this endpoint'),
    key: described(
      z.optional(z.string().check(z.regex(/^([A-Za-z0-9-]+|\*)$/, 'is not an API key id or *'))),
      "an API key id, or * for every key: an operator key's (context operatorKeys); default the caller's own",
    ),
  }),
);

export const CreateInputBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    filename: described(z.string(), 'the file name, with its extension (kept at the end of the input name)'),
    content_type: described(z.string(), 'an image, audio, video or 3D content type ComfyUI loads'),
    size: described(
      z.number().check(z.int('must be an integer'), z.minimum(1, 'must be at least 1 byte')),
      'the exact size in bytes: the upload URL accepts no other',
    ),
    sha256: described(
      z.optional(z.string()),
      'hex SHA-256 of the bytes: recorded with the input and listed, so a client can reuse an upload of the same file',
    ),
  }),
);

export const ListInputsQuerySchema = /* @__PURE__ */ lazySchema(() => z.strictObject(pageQuery()));

export const StartModelUploadBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    folder: described(z.string(), "one of ComfyUI's model folders: checkpoints, loras, vae, controlnet, ..."),
    name: described(z.string(), 'the path under the folder, subfolders kept: sdxl/detail.safetensors'),
    size: described(
      z.number().check(z.int('must be an integer'), z.minimum(1, 'must be at least 1 byte')),
      'the exact size in bytes: the part URLs accept exactly this much in all',
    ),
    sha256: described(
      z.optional(z.string()),
      'hex SHA-256 of the file: endpoints verify their downloads against it',
    ),
    overwrite: described(z.optional(z.boolean()), 'replace a model of the same folder and name'),
  }),
);

/** POST /models with `source`: the library fetches the file itself (StartModelImport). */
export const StartModelImportBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    folder: described(z.string(), "one of ComfyUI's model folders: checkpoints, loras, vae, controlnet, ..."),
    name: described(z.string(), 'the path under the folder, subfolders kept: sdxl/detail.safetensors'),
    source: described(
      z.string().check(z.maxLength(2048, 'must be at most 2048 characters')),
      'an https URL the file is fetched from (Hugging Face, Civitai, ...), in parallel ranged parts; a gated host takes its token from Secrets Manager, never from the URL',
    ),
    sha256: described(
      z.optional(z.string()),
      'hex SHA-256 of the file: the import fails, adding nothing, when the file differs (computed and recorded when left out)',
    ),
    overwrite: described(z.optional(z.boolean()), 'replace a model of the same folder and name'),
  }),
);

/** POST /models takes either body: `size` (an upload) or `source` (an import). */
export const ModelsPostBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.union([StartModelUploadBodySchema(), StartModelImportBodySchema()]),
);

export const CompleteModelUploadBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    folder: z.string(),
    name: z.string(),
    upload_id: z.string().check(z.minLength(1)),
    parts: z
      .array(
        z.strictObject({
          part_number: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
          etag: z.string().check(z.minLength(1)),
        }),
      )
      .check(z.minLength(1), z.maxLength(10_000)),
  }),
);

export const ListModelsQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...pageQuery(),
    folder: z.optional(z.string()),
  }),
);

/** ESD's prepare body: the fields this deployment acts on, and ESD's others accepted and ignored. */
export const PrepareBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    endpoint_name: described(z.string(), 'the endpoint to prepare'),
    prepare_type: described(z.string(), '"models" (into the model library) or "inputs" (into your inputs)'),
    s3_source_path: described(
      z.string(),
      's3://bucket/prefix/: your inputs prefix or a bucket the operator allowed',
    ),
    local_target_path: z.optional(z.string()),
    sync_script: z.optional(z.string()),
    need_reboot: z.optional(z.boolean()),
    prepare_id: z.optional(z.string()),
  }),
);
