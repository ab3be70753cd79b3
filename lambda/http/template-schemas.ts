import { z } from 'zod';
import type { Operation } from './openapi';
import { ExecuteSchema, envelopeSchema, ValidationFailureSchema } from './response-schemas';
import {
  CreateTemplateBodySchema,
  DeleteTemplatesBodySchema,
  ListTemplatesQuerySchema,
  RunTemplateBodySchema,
  UpdateTemplateBodySchema,
} from './template-requests';

const badRequest = envelopeSchema(400, z.union([ValidationFailureSchema, z.unknown()]));

const DeclarationsSchema = z.record(
  z.string(),
  z.object({
    places: z.array(z.string()),
    description: z.string().optional(),
    default: z.unknown().optional(),
  }),
);

/** ESD's `WorkflowSchema` row (name, payload, workflow, create_time), with ours beside it. */
export const TemplateRowSchema = z.object({
  name: z.string(),
  payload: z.string().describe('the API prompt or UI workflow as JSON text, as ESD stores it'),
  workflow: z.string().describe("the environment it runs on; '' for the deployment's default endpoint"),
  create_time: z.string(),
  update_time: z.string(),
  endpoint_name: z.string().describe("the endpoint it runs on ('' when its workflow is no longer deployed)"),
  declared_inputs: DeclarationsSchema.nullable().describe(
    'the parameters as saved; null: derived from the prompt',
  ),
});

export const TemplateSchema = TemplateRowSchema.extend({
  inputs: DeclarationsSchema.describe('the parameters in effect (declared, or derived), by name'),
  input_schema: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      "the parameters as a JSON Schema (2020-12) object: types, ranges, choices and defaults from the endpoint's node catalog; x-places says where each goes. null when the template no longer fits the endpoint (see problem)",
    ),
  problem: z.string().optional().describe("why the template no longer types on its endpoint's catalog"),
  warnings: z
    .array(z.string())
    .optional()
    .describe(
      'what a run will be refused for at places no parameter sets: a model or file the endpoint lacks',
    ),
});

export const TemplateListDataSchema = z.object({
  schemas: z.array(TemplateRowSchema),
  last_evaluated_key: z.string().nullable().describe('pass as exclusive_start_key for the next page'),
});

/** ESD's /schemas operations, and the run by name, for the OpenAPI document (lambda/http/openapi.ts). */
export const TEMPLATE_OPERATIONS: Record<string, Operation> = {
  CreateSchema: {
    body: CreateTemplateBodySchema(),
    responses: {
      200: ['Saved (ESD answers 200 "{name} created")', envelopeSchema(200, TemplateSchema)],
      400: [
        'Bad body, a payload that does not convert or validate, or a parameter that does not fit',
        badRequest,
      ],
      409: [
        'The caller already has a template of this name (ESD: 400 "{name} already exists")',
        envelopeSchema(409),
      ],
    },
  },
  ListSchemas: {
    query: ListTemplatesQuerySchema(),
    responses: {
      200: ["A page of the caller's templates, by name", envelopeSchema(200, TemplateListDataSchema)],
      400: ['Bad query', badRequest],
    },
  },
  DeleteSchemas: {
    body: DeleteTemplatesBodySchema(),
    responses: {
      204: ['Deleted (names the caller does not have are left alone)', envelopeSchema(204)],
      400: ['Bad body', badRequest],
    },
  },
  GetSchema: {
    responses: {
      200: ['The template, its parameters and their JSON Schema', envelopeSchema(200, TemplateSchema)],
      400: ['Not a template name', badRequest],
      404: ['The caller has no template of that name', envelopeSchema(404)],
    },
  },
  UpdateSchema: {
    body: UpdateTemplateBodySchema(),
    responses: {
      200: ['Changed: the template as it is now', envelopeSchema(200, TemplateSchema)],
      400: ['Bad body, or a change that does not convert, validate or fit its parameters', badRequest],
      404: ['The caller has no template of that name', envelopeSchema(404)],
      409: ['Changed by another request meanwhile: send it again', envelopeSchema(409)],
    },
  },
  RunSchema: {
    body: RunTemplateBodySchema(),
    responses: {
      201: ['Created and queued (with `wait`, finished within it)', envelopeSchema(201, ExecuteSchema)],
      200: [
        'The same run was already accepted (idempotent retry on prompt_id)',
        envelopeSchema(200, ExecuteSchema),
      ],
      202: [
        "With `wait`: not finished when the wait ended; poll the Location header's GetExecute",
        envelopeSchema(202, ExecuteSchema),
      ],
      400: [
        'An unknown parameter, a wrong type, a value out of range or not among the choices (message names the parameter)',
        badRequest,
      ],
      404: ['The caller has no template of that name', envelopeSchema(404)],
      409: ['prompt_id already used by a different request', envelopeSchema(409)],
      429: [
        "The key's unfinished executes are at its cap (maxUnfinishedPerKey): let some end; or it has used its GPU seconds of the UTC day (gpuSecondsPerDay): data.resets_at and Retry-After say when that ends. Nothing is queued",
        envelopeSchema(429),
      ],
      503: ['Endpoint throttled or unavailable; the execute is recorded as failed', envelopeSchema(503)],
    },
  },
};
