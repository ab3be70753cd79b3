import { z } from 'zod';
import { MODEL_OPERATIONS } from './model-schemas';
import { COMFYUI_OPERATIONS } from './openapi-comfyui';
import {
  CreateExecuteBodySchema,
  CreateInputBodySchema,
  DeleteExecutesBodySchema,
  GetExecuteQuerySchema,
  ListExecutesQuerySchema,
  ListInputsQuerySchema,
  PrepareBodySchema,
  PromptIdSchema,
} from './request-schemas';
import {
  AboutSchema,
  CreatedInputSchema,
  DryRunDataSchema,
  EndpointListDataSchema,
  ExecuteListDataSchema,
  ExecuteLogsDataSchema,
  ExecuteSchema,
  envelopeSchema,
  GatewayErrorSchema,
  InputListDataSchema,
  PrepareDataSchema,
  PrepareStatusSchema,
  ValidationFailureSchema,
  WebhookSecretSchema,
} from './response-schemas';
import { ROUTES, type Route } from './route-table';
import { TemplateNameSchema } from './template-requests';
import { TEMPLATE_OPERATIONS } from './template-schemas';
import { USAGE_OPERATIONS } from './usage-schemas';
import { WORKFLOW_OPERATIONS } from './workflow-schemas';

/** Any zod schema, classic (responses) or mini (requests, so their handlers carry no zod classic). */
export type Schema = z.core.$ZodType;

export interface Operation {
  body?: Schema;
  query?: { shape: Record<string, Schema> };
  responses: Record<number, [description: string, schema: Schema]>;
}

const notFound = envelopeSchema(404, z.string());
const badRequest = envelopeSchema(400, z.union([ValidationFailureSchema, z.unknown()]));

/** Request and response schemas of each operation: the same zod schemas the handlers use. */
const OPERATIONS: Record<string, Operation> = {
  CreateExecute: {
    body: CreateExecuteBodySchema(),
    responses: {
      201: [
        'Created and queued; with `wait`, created and finished within it (files signed, as GetExecute shows it)',
        envelopeSchema(201, ExecuteSchema),
      ],
      200: [
        'The same request was already accepted (idempotent retry; with `wait`, waited for as a create is); with dry_run, the prompt that would run',
        envelopeSchema(200, z.union([ExecuteSchema, DryRunDataSchema])),
      ],
      202: [
        "With `wait`: still created or running when the wait ended; the `Location` header is GetExecute's URL to poll",
        envelopeSchema(202, ExecuteSchema),
      ],
      400: [
        'Invalid request or prompt (data: ComfyUI {error, node_errors}), or unknown endpoint',
        badRequest,
      ],
      409: ['prompt_id already used by a different request', envelopeSchema(409)],
      429: [
        "The key's unfinished executes are at its cap (maxUnfinishedPerKey): let some end; or it has used its GPU seconds of the UTC day (gpuSecondsPerDay): data.resets_at and Retry-After say when that ends. Nothing is queued",
        envelopeSchema(429),
      ],
      503: [
        'Endpoint throttled or unavailable; the execute is recorded as failed (data names it)',
        envelopeSchema(503, z.object({ prompt_id: z.string(), status: z.literal('failed') })),
      ],
    },
  },
  ListExecutes: {
    query: ListExecutesQuerySchema(),
    responses: {
      200: ['A page of executes', envelopeSchema(200, ExecuteListDataSchema)],
      400: ['Bad query', badRequest],
    },
  },
  DeleteExecutes: {
    body: DeleteExecutesBodySchema(),
    responses: {
      204: ['Deleted (ids not owned are left alone)', envelopeSchema(204)],
      400: ['Bad body', badRequest],
    },
  },
  GetExecute: {
    query: GetExecuteQuerySchema(),
    responses: {
      200: ['The execute', envelopeSchema(200, ExecuteSchema)],
      400: ['Bad query (inline)', badRequest],
      404: ['Not found (ESD shape: text in data)', notFound],
    },
  },
  CancelExecute: {
    responses: {
      200: ['The execute after the cancel request', envelopeSchema(200, ExecuteSchema)],
      404: ['Not found', notFound],
    },
  },
  GetExecuteLogs: {
    responses: {
      200: ['Log lines (empty before the run starts)', envelopeSchema(200, ExecuteLogsDataSchema)],
      404: ['Not found', notFound],
    },
  },
  CreateInput: {
    body: CreateInputBodySchema(),
    responses: {
      201: ['Named; upload the file with data.upload', envelopeSchema(201, CreatedInputSchema)],
      400: ['Bad file name, content type or size', badRequest],
      413: ['Declared size over the deployment limit', envelopeSchema(413)],
    },
  },
  ListInputs: {
    query: ListInputsQuerySchema(),
    responses: {
      200: ['A page of uploaded inputs, newest first', envelopeSchema(200, InputListDataSchema)],
      400: ['Bad query', badRequest],
    },
  },
  DeleteInput: {
    responses: {
      204: ['Deleted', envelopeSchema(204)],
      404: ['The caller has no input of that name', envelopeSchema(404)],
    },
  },
  PrepareEndpoint: {
    body: PrepareBodySchema(),
    responses: {
      200: ['Copied: every later execute finds them', envelopeSchema(200, PrepareDataSchema)],
      400: ['Unknown endpoint, a prepare_type that would run code, an unreadable or bad source', badRequest],
      403: ['prepare_type models from a key that is not a model writer', envelopeSchema(403)],
    },
  },
  GetPrepare: {
    responses: {
      200: ['Prepared (nothing is ever pending)', envelopeSchema(200, PrepareStatusSchema)],
      400: ['Unknown endpoint', badRequest],
    },
  },
  ListEndpoints: { responses: { 200: ['Endpoints', envelopeSchema(200, EndpointListDataSchema)] } },
  GetWebhookSecret: { responses: { 200: ['The signing secret', envelopeSchema(200, WebhookSecretSchema)] } },
  RotateWebhookSecret: {
    responses: {
      200: ['Rotated: the new secret, and the previous one', envelopeSchema(200, WebhookSecretSchema)],
    },
  },
  RootAPI: { responses: { 200: ['OK', envelopeSchema(200)] } },
  Ping: { responses: { 200: ['pong', envelopeSchema(200)] } },
  GetAbout: { responses: { 200: ['This deployment', envelopeSchema(200, AboutSchema)] } },
  GetApiOAS: { responses: { 200: ['OpenAPI 3.1 document', z.record(z.string(), z.unknown())] } },
  ...MODEL_OPERATIONS,
  ...WORKFLOW_OPERATIONS,
  ...USAGE_OPERATIONS,
  ...TEMPLATE_OPERATIONS,
  ...COMFYUI_OPERATIONS,
};

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect, declared once at the top instead of per schema). */
function jsonSchema(schema: Schema, io: 'input' | 'output') {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}

const PATH_PARAMETERS: Record<string, string> = {
  name: 'an input name from CreateInput or ListInputs',
  'schema name': "a template's name (ListSchemas)",
  'workflow name': 'a deployed environment (ListWorkflows)',
  'model folder': "one of ComfyUI's model folders",
  'model name': 'the model path under the folder, URL-encoded (sdxl%2Fdetail.safetensors)',
  endpoint_name: 'a SageMaker endpoint this deployment serves',
  token: 'a browser token from GET /comfyui/token',
};

/** Which description a path parameter takes: `name` means a different thing under each collection. */
function pathParameterKey(path: string, name: string): string {
  if (path.startsWith('/models')) return `model ${name}`;
  if (path.startsWith('/schemas')) return `schema ${name}`;
  if (path.startsWith('/workflows')) return `workflow ${name}`;
  return name;
}

function operationObject({ operationId, summary, path, aliasOf, auth }: Route) {
  // An alias (ComfyUI's /api prefix) is described as the operation it is another path of.
  const operation = OPERATIONS[aliasOf ?? operationId];
  if (!operation) throw new Error(`no OpenAPI description for ${aliasOf ?? operationId}`);
  const parameters: unknown[] = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema:
      name === 'prompt_id'
        ? jsonSchema(PromptIdSchema(), 'input')
        : pathParameterKey(path, String(name)) === 'schema name'
          ? jsonSchema(TemplateNameSchema(), 'input')
          : {
              type: 'string',
              description: PATH_PARAMETERS[pathParameterKey(path, String(name))],
            },
  }));
  for (const [name, schema] of Object.entries(operation.query?.shape ?? {})) {
    parameters.push({ name, in: 'query', required: false, schema: jsonSchema(schema, 'input') });
  }
  const responses: Record<string, unknown> = {
    ...(auth === 'token'
      ? {}
      : {
          403: {
            description: 'Missing or invalid x-api-key (API Gateway)',
            content: { 'application/json': { schema: jsonSchema(GatewayErrorSchema, 'output') } },
          },
        }),
    500: {
      description: 'Unexpected error',
      content: { 'application/json': { schema: jsonSchema(envelopeSchema(500), 'output') } },
    },
  };
  for (const [status, [description, schema]] of Object.entries(operation.responses)) {
    responses[status] = {
      description,
      content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
    };
  }
  return {
    operationId,
    summary,
    ...(aliasOf ? { 'x-alias-of': aliasOf } : {}),
    // The browser token in the path is the credential: no x-api-key.
    ...(auth === 'token' ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route in the route table. */
export function buildOpenApiDocument(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operationObject(route);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'comfy-exec',
      version: '1.7.0',
      description: "ComfyUI prompts on a SageMaker asynchronous endpoint, behind ESD's executes API.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ api_key: [] }],
    components: { securitySchemes: { api_key: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    paths,
  };
}
