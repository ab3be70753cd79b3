// Named imports: the z namespace defeats tree-shaking (zod's whole 450 KB lands in every bundle).
import type { z } from 'zod';
import {
  coerce,
  strictObject,
  array as zArray,
  boolean as zBoolean,
  enum as zEnum,
  literal as zLiteral,
  number as zNumber,
  record as zRecord,
  string as zString,
  union as zUnion,
  unknown as zUnknown,
} from 'zod';
import { EXECUTE_STATUSES } from '../domain/execute-status';
import { PROMPT_ID_PATTERN } from '../domain/prompt-id';

export const PromptIdSchema = zString()
  .regex(PROMPT_ID_PATTERN, 'must be a canonical lowercase UUID (8-4-4-4-12 hex digits)')
  .describe('Execution id: the DynamoDB key, the SageMaker InferenceId, the S3 prefix and ComfyUI prompt_id');

/** SageMaker endpoint names: 1–63 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`. */
const EndpointNameSchema = zString()
  .max(63)
  .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, 'is not a SageMaker endpoint name');

const JsonObjectSchema = zRecord(zString(), zUnknown());

/**
 * ESD's ExecuteEvent: every field ESD accepts, nothing else. `prompt` is checked here only for
 * presence; its graph is validated by the domain.
 */
export const CreateExecuteBodySchema = strictObject({
  prompt_id: PromptIdSchema.nullish(),
  prompt: zUnknown().describe('ComfyUI API-format prompt: node id → {class_type, inputs}'),
  endpoint_name: zUnion([EndpointNameSchema, zLiteral('')]).nullish(),
  need_sync: zBoolean().nullish().describe('ESD: stream progress events; stored, default true'),
  number: zUnion([zString(), zNumber()]).nullish().describe('ComfyUI queue priority'),
  front: zBoolean().nullish().describe('ComfyUI: queue at the front'),
  extra_data: JsonObjectSchema.nullish().describe('ComfyUI extra_data, passed through untouched'),
  client_id: zString().nullish().describe('ComfyUI client id'),
  workflow: zString()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and _')
    .nullish()
    .describe('metrics label'),
  workflow_name: EndpointNameSchema.nullish().describe('ESD: run on endpoint comfy-async-{workflow_name}'),
  need_prepare: zBoolean().nullish(),
  prepare_props: JsonObjectSchema.nullish(),
  multi_async: zBoolean().nullish(),
  dry_run: zBoolean().nullish().describe('validate (and convert) only: nothing is stored or run'),
});
export type CreateExecuteBody = z.infer<typeof CreateExecuteBodySchema>;

export const DeleteExecutesBodySchema = strictObject({
  execute_id_list: zArray(zString().min(1).max(256)).min(1).max(100),
});

export const ListExecutesQuerySchema = strictObject({
  limit: coerce
    .number({ error: 'must be an integer from 1 to 100' })
    .int('must be an integer from 1 to 100')
    .min(1, 'must be an integer from 1 to 100')
    .max(100, 'must be an integer from 1 to 100')
    .default(10),
  exclusive_start_key: zString().min(1).optional(),
  status: zEnum(EXECUTE_STATUSES).optional(),
});
