import {
  DomainError,
  GpuQuotaExceededError,
  PromptValidationError,
  TooManyRequestsError,
} from '../domain/errors';
import { isPromptId } from '../domain/prompt-id';
import type { HttpRequest, HttpResult } from '../platform/http-handler';
import {
  type ComfyFacadeDeps,
  editHistory,
  editQueue,
  history,
  historyOf,
  interrupt,
  objectInfo,
  type QueueEdit,
  queuePrompt,
  queueRemaining,
  queueState,
} from '../use-cases/comfyui-facade';
import { embeddings, features, systemStats } from '../use-cases/comfyui-introspection';
import { comfyModelFiles, comfyModelFolders } from '../use-cases/comfyui-model-files';
import { issueBrowserToken } from './browser-token-routes';
import { postUploadImage, postUploadMask } from './comfyui-upload-routes';
import { getView } from './comfyui-view-route';
import { parseCreateExecuteBody, parseJsonBody } from './parse-request';

/** ComfyUI's error answer: `{error: {type, message, details, extra_info}, node_errors}`, status 400. */
function comfyError(type: string, message: string): HttpResult {
  return { statusCode: 400, raw: { error: { type, message, details: '', extra_info: {} }, node_errors: {} } };
}

const json = (raw: unknown, statusCode = 200): HttpResult => ({ statusCode, raw });

function bodyObject(request: HttpRequest): Record<string, unknown> {
  if (!request.event.body) return {};
  const body = parseJsonBody(request.event.body, request.event.isBase64Encoded);
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** `{clear, delete}` as ComfyUI reads them: anything else is ignored. */
function queueEdit(request: HttpRequest): QueueEdit {
  const body = bodyObject(request);
  return {
    clear: body.clear === true,
    delete: Array.isArray(body.delete)
      ? body.delete.filter((id): id is string => typeof id === 'string')
      : [],
  };
}

/** POST /prompt as ComfyUI answers it: 200 `{prompt_id, number, node_errors}`, 400 ComfyUI's errors. */
async function postPrompt(request: HttpRequest, deps: ComfyFacadeDeps): Promise<HttpResult> {
  const body = bodyObject(request);
  if (body.prompt === undefined || body.prompt === null) return comfyError('no_prompt', 'No prompt provided');
  if (body.prompt_id != null && !isPromptId(String(body.prompt_id)))
    return comfyError('invalid_prompt_id', 'prompt_id must be a valid UUID');
  // ComfyUI's fields; partial_execution_targets and anything newer are not ours to act on.
  const { prompt, prompt_id, client_id, extra_data, number, front } = body;
  try {
    const input = parseCreateExecuteBody(
      Object.fromEntries(
        Object.entries({ prompt, prompt_id, client_id, extra_data, number, front }).filter(
          ([, v]) => v !== undefined,
        ),
      ),
    );
    return json(await queuePrompt(input, request.owner, deps));
  } catch (error) {
    if (error instanceof PromptValidationError) return { statusCode: 400, raw: error.data };
    // Not a ComfyUI answer, but a client must not read "try later" as "your prompt is wrong".
    if (error instanceof GpuQuotaExceededError)
      return {
        ...comfyError('too_many_requests', error.message),
        statusCode: 429,
        headers: { 'retry-after': String(error.retryAfterSeconds) },
      };
    if (error instanceof TooManyRequestsError)
      return { ...comfyError('too_many_requests', error.message), statusCode: 429 };
    if (error instanceof DomainError) return comfyError('invalid_prompt', error.message);
    throw error;
  }
}

/** What the introspection routes need, from the facade's ports. */
const introspection = (deps: ComfyFacadeDeps) => ({
  library: deps.library,
  payloads: deps.payloads,
  config: {
    defaultEndpointName: deps.config.defaultEndpointName,
    libraryBucketUri: deps.config.libraryBucketUri,
  },
});

/** Each ComfyUI route by method and API Gateway resource path. */
export const COMFYUI_ROUTES: Record<
  string,
  (request: HttpRequest, deps: ComfyFacadeDeps) => Promise<HttpResult>
> = {
  'POST /comfyui/prompt': postPrompt,
  'GET /comfyui/prompt': async (request, deps) => json(await queueRemaining(request.owner, deps)),
  'GET /comfyui/queue': async (request, deps) => json(await queueState(request.owner, deps)),
  'GET /comfyui/history': async (request, deps) => {
    const max = Number(request.query.max_items);
    return json(await history(request.owner, Number.isInteger(max) && max > 0 ? max : undefined, deps));
  },
  'GET /comfyui/history/{prompt_id}': async (request, deps) =>
    json(await historyOf(request.owner, request.pathParameter('prompt_id'), deps)),
  'POST /comfyui/interrupt': async (request, deps) => {
    const promptId = bodyObject(request).prompt_id;
    await interrupt(request.owner, typeof promptId === 'string' ? promptId : undefined, deps);
    return { statusCode: 200, raw: undefined };
  },
  'POST /comfyui/history': async (request, deps) => {
    await editHistory(request.owner, queueEdit(request), deps);
    return { statusCode: 200, raw: undefined };
  },
  'POST /comfyui/queue': async (request, deps) => {
    await editQueue(request.owner, queueEdit(request), deps);
    return { statusCode: 200, raw: undefined };
  },
  'GET /comfyui/view': getView,
  'GET /comfyui/token': (request, deps) => issueBrowserToken(request, deps),
  'POST /comfyui/upload/image': postUploadImage,
  'POST /comfyui/upload/mask': postUploadMask,
  'GET /comfyui/models': async () => json(comfyModelFolders()),
  'GET /comfyui/models/{folder}': async (request, deps) => {
    const names = await comfyModelFiles(request.pathParameter('folder'), {
      ...introspection(deps),
      catalogs: deps.catalogs,
    });
    return names ? json(names) : json('404: Not Found', 404);
  },
  'GET /comfyui/embeddings': async (_request, deps) => json(await embeddings(introspection(deps))),
  'GET /comfyui/system_stats': async (_request, deps) => json(await systemStats(introspection(deps))),
  'GET /comfyui/features': async () => json(features()),
  // On AWS the websocket is a WebSocket API of its own; a client that asks here is told where.
  'GET /comfyui/ws': async (_request, deps) =>
    json(
      {
        error: {
          type: 'websocket_elsewhere',
          message: deps.webSocketUrl
            ? `ComfyUI's websocket is at ${deps.webSocketUrl}: connect there with ?clientId= and the x-api-key header`
            : "ComfyUI's websocket is not configured for this deployment",
        },
        websocket_url: deps.webSocketUrl ?? null,
      },
      400,
    ),
  'GET /comfyui/object_info': async (_request, deps) => json(await objectInfo(undefined, deps)),
  'GET /comfyui/object_info/{node_class}': async (request, deps) =>
    json(await objectInfo(request.pathParameter('node_class'), deps)),
};
