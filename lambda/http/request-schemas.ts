import { z } from 'zod';
import { EXECUTE_STATUSES } from '../domain/execute-status';
import { PROMPT_ID_PATTERN } from '../domain/prompt-id';

export const PromptIdSchema = z
  .string()
  .regex(PROMPT_ID_PATTERN, 'must be a canonical lowercase UUID (8-4-4-4-12 hex digits)')
  .describe('Execution id: the DynamoDB key, the SageMaker InferenceId, the S3 prefix and ComfyUI prompt_id');

/** SageMaker endpoint names: 1–63 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`. */
const EndpointNameSchema = z
  .string()
  .max(63)
  .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/, 'is not a SageMaker endpoint name');

const JsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * ESD's ExecuteEvent: every field ESD accepts, nothing else. `prompt` is checked here only for
 * presence; its graph is validated by the domain.
 */
export const CreateExecuteBodySchema = z.strictObject({
  prompt_id: PromptIdSchema.nullish(),
  prompt: z.unknown().describe('ComfyUI API-format prompt: node id → {class_type, inputs}'),
  endpoint_name: z.union([EndpointNameSchema, z.literal('')]).nullish(),
  need_sync: z.boolean().nullish().describe('ESD: stream progress events; stored, default true'),
  number: z.union([z.string(), z.number()]).nullish().describe('ComfyUI queue priority'),
  front: z.boolean().nullish().describe('ComfyUI: queue at the front'),
  extra_data: JsonObjectSchema.nullish().describe('ComfyUI extra_data, passed through untouched'),
  client_id: z.string().nullish().describe('ComfyUI client id'),
  workflow: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and _')
    .nullish()
    .describe('metrics label'),
  workflow_name: EndpointNameSchema.nullish().describe('ESD: run on endpoint comfy-async-{workflow_name}'),
  need_prepare: z.boolean().nullish(),
  prepare_props: JsonObjectSchema.nullish(),
  multi_async: z.boolean().nullish(),
  dry_run: z.boolean().nullish().describe('validate (and convert) only: nothing is stored or run'),
});
export type CreateExecuteBody = z.infer<typeof CreateExecuteBodySchema>;

export const DeleteExecutesBodySchema = z.strictObject({
  execute_id_list: z.array(z.string().min(1).max(256)).min(1).max(100),
});

export const ListExecutesQuerySchema = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be an integer from 1 to 100' })
    .int('must be an integer from 1 to 100')
    .min(1, 'must be an integer from 1 to 100')
    .max(100, 'must be an integer from 1 to 100')
    .default(10),
  exclusive_start_key: z.string().min(1).optional(),
  status: z.enum(EXECUTE_STATUSES).optional(),
});
