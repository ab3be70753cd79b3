import { z } from 'zod';
import type { Operation } from './openapi';
import {
  CompleteModelUploadBodySchema,
  ListModelsQuerySchema,
  ModelsPostBodySchema,
} from './request-schemas';
import {
  envelopeSchema,
  ModelListDataSchema,
  ModelUploadSchema,
  StoredModelSchema,
  ValidationFailureSchema,
} from './response-schemas';

const badRequest = envelopeSchema(400, z.union([ValidationFailureSchema, z.unknown()]));

/** An import from a URL, as GET /models/{folder}/{name} shows it. */
export const ModelImportSchema = z.object({
  status: z
    .enum(['importing', 'verifying', 'imported', 'failed'])
    .describe('verifying: every part is in, the whole file is being checked; imported and failed are final'),
  source: z.string(),
  size: z.number().int().describe('bytes, as the source announced them'),
  sha256: z.string().nullable().describe('the declared SHA-256, or the one computed once imported'),
  parts_total: z.number().int(),
  parts_done: z.number().int(),
  bytes_done: z.number().int(),
  error: z.string().nullable().describe('why it failed: nothing was added to the library'),
  last_retry: z
    .string()
    .nullable()
    .describe(
      'while importing: the last failure being retried (the import goes on; the last attempt fails it)',
    ),
  started_at: z.string(),
  finished_at: z.string().nullable(),
});

export const ModelImportStartedSchema = z.object({
  folder: z.string(),
  name: z.string(),
  import: ModelImportSchema,
});

export const ModelDataSchema = z.object({
  folder: z.string(),
  name: z.string(),
  model: StoredModelSchema.nullable().describe('null until an import has finished'),
  import: ModelImportSchema.nullable().describe('null for a model that was uploaded'),
});

/** The model library's operations, for the OpenAPI document (lambda/http/openapi.ts). */
export const MODEL_OPERATIONS: Record<string, Operation> = {
  StartModelUpload: {
    body: ModelsPostBodySchema(),
    responses: {
      201: ['Upload started (size): PUT each part to its url', envelopeSchema(201, ModelUploadSchema)],
      202: [
        'Import started (source): follow it with GET /models/{folder}/{name}',
        envelopeSchema(202, ModelImportStartedSchema),
      ],
      400: [
        'Bad folder, name, size or sha256; a source that is not https, carries a token, resolves to a private address, or was refused (404, 401 without a token, no byte ranges)',
        badRequest,
      ],
      403: ['This API key is not a model writer', envelopeSchema(403)],
      409: ['The model exists (send overwrite: true), or is being imported', envelopeSchema(409)],
      413: ['Size over the deployment limit', envelopeSchema(413)],
      502: ['The source failed to answer (5xx, unreachable, too slow)', envelopeSchema(502)],
    },
  },
  CompleteModelUpload: {
    body: CompleteModelUploadBodySchema(),
    responses: {
      200: ['The model, assembled', envelopeSchema(200, StoredModelSchema)],
      400: ['S3 refused the parts (unknown upload, wrong or missing parts, short total)', badRequest],
      403: ['This API key is not a model writer', envelopeSchema(403)],
    },
  },
  ListModels: {
    query: ListModelsQuerySchema(),
    responses: {
      200: ['A page of the library', envelopeSchema(200, ModelListDataSchema)],
      400: ['Bad query or folder', badRequest],
    },
  },
  GetModel: {
    responses: {
      200: ['The model and its import', envelopeSchema(200, ModelDataSchema)],
      400: ['Bad folder or name', badRequest],
      404: ['No such model, and no import of it', envelopeSchema(404)],
    },
  },
  DeleteModel: {
    responses: {
      204: ['Deleted (an import in progress stopped)', envelopeSchema(204)],
      400: ['Bad folder or name', badRequest],
      403: ['This API key is not a model writer', envelopeSchema(403)],
      404: ['No such model', envelopeSchema(404)],
    },
  },
};
