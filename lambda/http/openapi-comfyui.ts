import { z } from 'zod';
import type { Operation } from './openapi';
import { ValidationFailureSchema } from './response-schemas';

const anyObject = z.record(z.string(), z.unknown());

/** ComfyUI's own shapes (shared/docs/comfyui-server-api.md), answered without the envelope. */
/** ComfyUI's /view query, with the key or with a browser token. */
const VIEW_QUERY = z.object({
  filename: z.string(),
  subfolder: z.string().optional(),
  type: z.enum(['output', 'input', 'temp']).optional(),
});

export const COMFYUI_OPERATIONS: Record<string, Operation> = {
  ComfyWebSocketElsewhere: {
    responses: {
      400: [
        "The websocket's URL (a WebSocket API of its own on AWS; the local stack upgrades this path itself)",
        z.object({
          error: z.object({ type: z.literal('websocket_elsewhere'), message: z.string() }),
          websocket_url: z.string().nullable(),
        }),
      ],
    },
  },
  ComfyPostPrompt: {
    body: z
      .object({
        prompt: anyObject.describe('API-format prompt (or a UI workflow, converted first)'),
        client_id: z.string().optional(),
        extra_data: anyObject.optional(),
        prompt_id: z.string().optional().describe('a lowercase UUID; minted when absent'),
        number: z.number().optional(),
        front: z.boolean().optional(),
      })
      .loose(),
    responses: {
      200: ['Queued', z.object({ prompt_id: z.string(), number: z.number(), node_errors: anyObject })],
      400: ["ComfyUI's {error, node_errors}", ValidationFailureSchema],
    },
  },
  ComfyGetPrompt: {
    responses: {
      200: ['Queue size', z.object({ exec_info: z.object({ queue_remaining: z.number().int() }) })],
    },
  },
  ComfyGetQueue: {
    responses: {
      200: [
        "Running and pending, as ComfyUI's [number, prompt_id, prompt, extra_data, outputs] tuples",
        z.object({
          queue_running: z.array(z.array(z.unknown())),
          queue_pending: z.array(z.array(z.unknown())),
        }),
      ],
    },
  },
  ComfyGetHistory: {
    query: z.object({ max_items: z.string().optional().describe('at most this many (newest)') }),
    responses: { 200: ['prompt_id → history entry', anyObject] },
  },
  ComfyGetHistoryItem: {
    responses: { 200: ['{prompt_id: entry}, or {} until it finishes', anyObject] },
  },
  ComfyPostHistory: {
    body: z.object({ clear: z.boolean().optional(), delete: z.array(z.string()).optional() }).loose(),
    responses: { 200: ['Done (empty body); finished executes deleted with their outputs', z.string()] },
  },
  ComfyPostQueue: {
    body: z.object({ clear: z.boolean().optional(), delete: z.array(z.string()).optional() }).loose(),
    responses: { 200: ['Done (empty body); pending executes cancelled', z.string()] },
  },
  ComfyInterrupt: {
    body: z.object({ prompt_id: z.string().optional() }).loose(),
    responses: { 200: ['Interrupted (empty body)', z.string()] },
  },
  ComfyUploadImage: {
    responses: {
      200: [
        'Stored as one of your inputs; prompts name it by `name`',
        z.object({ name: z.string(), subfolder: z.string(), type: z.literal('input') }),
      ],
      400: ['No image in the form, or not a file ComfyUI loads', z.string()],
    },
  },
  ComfyUploadMask: {
    responses: {
      200: [
        'The original image with the mask as its alpha channel, stored as one of your inputs',
        z.object({ name: z.string(), subfolder: z.string(), type: z.literal('input') }),
      ],
      400: ['No image or original_ref, an original that is not yours, or not PNGs of one size', z.string()],
    },
  },
  ComfyView: {
    query: VIEW_QUERY,
    responses: {
      302: ['Redirect to a pre-signed S3 URL of the file', z.string()],
      404: ['No such file of the caller', z.string()],
    },
  },
  ComfyBrowserToken: {
    query: z.object({
      expires_in: z
        .string()
        .regex(/^\d+$/)
        .optional()
        .describe('Seconds the token lives: 60 to 3600, default 600'),
    }),
    responses: {
      200: [
        "A browser token for the calling key: its websocket URL and /view URL carry it; the key's own value is sealed inside",
        z.object({
          token: z.string(),
          expires_in: z.number().int(),
          expires_at: z.string(),
          view_url: z.string().describe('`{API}comfyui/t/{token}/view`: add ?filename=&subfolder=&type='),
          websocket_url: z.string().nullable().describe("ComfyUI's websocket with ?token= (add &clientId=)"),
        }),
      ],
      400: ['expires_in out of range', z.string()],
    },
  },
  ComfyTokenView: {
    query: VIEW_QUERY,
    responses: {
      302: ["Redirect to a pre-signed S3 URL of the token's key's file", z.string()],
      403: ['A token that is expired, altered, or not from this deployment', z.string()],
      404: ["No such file of the token's key", z.string()],
    },
  },
  ComfyModels: { responses: { 200: ['Model folder names', z.array(z.string())] } },
  ComfyModelsInFolder: {
    responses: {
      200: ['Model names in the folder (the library)', z.array(z.string())],
      404: ['No such folder', z.string()],
    },
  },
  ComfyEmbeddings: { responses: { 200: ['Embedding names', z.array(z.string())] } },
  ComfySystemStats: { responses: { 200: ['{system, devices}, as the endpoint reported', anyObject] } },
  ComfyFeatures: {
    responses: {
      200: [
        'Feature flags',
        z.object({ supports_preview_metadata: z.boolean(), max_upload_size: z.number() }),
      ],
    },
  },
  ComfyObjectInfo: { responses: { 200: ['class_type → node definition', anyObject] } },
  ComfyObjectInfoNode: { responses: { 200: ['{class_type: definition}, or {}', anyObject] } },
};
