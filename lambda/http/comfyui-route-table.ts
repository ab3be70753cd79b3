import type { Route } from './route-table';

/** ComfyUI's server routes (ComfyUI's shapes, no envelope), one function for all of them. */
export const COMFYUI_FACADE_ROUTES: readonly Route[] = (
  [
    ['POST', '/comfyui/prompt', 'ComfyPostPrompt', "ComfyUI's POST /prompt: queue a prompt"],
    ['GET', '/comfyui/prompt', 'ComfyGetPrompt', "ComfyUI's GET /prompt: the caller's queue_remaining"],
    [
      'GET',
      '/comfyui/queue',
      'ComfyGetQueue',
      "ComfyUI's GET /queue: the caller's running and pending prompts",
    ],
    ['GET', '/comfyui/history', 'ComfyGetHistory', "ComfyUI's GET /history: the caller's finished prompts"],
    ['GET', '/comfyui/history/{prompt_id}', 'ComfyGetHistoryItem', "ComfyUI's GET /history/{prompt_id}"],
    [
      'POST',
      '/comfyui/history',
      'ComfyPostHistory',
      "ComfyUI's POST /history: delete or clear finished prompts",
    ],
    ['POST', '/comfyui/queue', 'ComfyPostQueue', "ComfyUI's POST /queue: take pending prompts off the queue"],
    [
      'POST',
      '/comfyui/interrupt',
      'ComfyInterrupt',
      "ComfyUI's POST /interrupt: cancel the caller's running prompt(s)",
    ],
    [
      'POST',
      '/comfyui/upload/image',
      'ComfyUploadImage',
      "ComfyUI's POST /upload/image: the file becomes one of the caller's inputs",
    ],
    [
      'POST',
      '/comfyui/upload/mask',
      'ComfyUploadMask',
      "ComfyUI's POST /upload/mask: the original with the mask's alpha, as a new input",
    ],
    ['GET', '/comfyui/view', 'ComfyView', "ComfyUI's GET /view: a redirect to the caller's file"],
    [
      'GET',
      '/comfyui/token',
      'ComfyBrowserToken',
      'A browser token: for ?token= on the websocket and /comfyui/t/{token}/view, where a browser cannot send x-api-key',
    ],
    ['GET', '/comfyui/models', 'ComfyModels', "ComfyUI's GET /models: model folder names"],
    [
      'GET',
      '/comfyui/models/{folder}',
      'ComfyModelsInFolder',
      "ComfyUI's GET /models/{folder}: the library's models there",
    ],
    ['GET', '/comfyui/embeddings', 'ComfyEmbeddings', "ComfyUI's GET /embeddings: the library's embeddings"],
    [
      'GET',
      '/comfyui/system_stats',
      'ComfySystemStats',
      "ComfyUI's GET /system_stats, as the endpoint reported it",
    ],
    ['GET', '/comfyui/features', 'ComfyFeatures', "ComfyUI's GET /features"],
    [
      'GET',
      '/comfyui/ws',
      'ComfyWebSocketElsewhere',
      "ComfyUI's /ws asked of the REST API: where the websocket is (400; this API does not upgrade)",
    ],
    ['GET', '/comfyui/object_info', 'ComfyObjectInfo', "ComfyUI's GET /object_info: the endpoint's nodes"],
    [
      'GET',
      '/comfyui/object_info/{node_class}',
      'ComfyObjectInfoNode',
      "ComfyUI's GET /object_info/{node_class}",
    ],
  ] as const
).map(([method, path, operationId, summary]) => ({
  method,
  path,
  handler: 'comfyui-api',
  operationId,
  summary,
}));

/** ComfyUI's server.py serves every route twice, bare and under `/api` (its frontend calls the latter). */
export const COMFYUI_API_PREFIX = '/comfyui/api/';

/** `/comfyui/x` under ComfyUI's `/api` prefix: `/comfyui/api/x`. */
export const underApiPrefix = (path: string): string => path.replace(/^\/comfyui\//, COMFYUI_API_PREFIX);

/** A `/comfyui/api/x` resource as the `/comfyui/x` route it aliases (any other path unchanged). */
export const withoutApiPrefix = (path: string): string =>
  path.startsWith(COMFYUI_API_PREFIX) ? `/comfyui/${path.slice(COMFYUI_API_PREFIX.length)}` : path;

/** Each facade route again under `/comfyui/api/`, operationId suffixed `Api`: exactly the same route. */
export const COMFYUI_API_ALIASES: readonly Route[] = COMFYUI_FACADE_ROUTES.map((route) => ({
  ...route,
  path: underApiPrefix(route.path),
  operationId: `${route.operationId}Api`,
  summary: `${route.summary} (ComfyUI's /api prefix: the same as ${route.path})`,
  aliasOf: route.operationId,
}));

/**
 * ComfyUI's /view for browsers (an `<img src>` sends no headers): the browser token in the path
 * instead of the API key, so `{API}comfyui/t/{token}` serves as a ComfyUI base URL for images.
 */
export const COMFYUI_TOKEN_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/comfyui/t/{token}/view',
    handler: 'comfyui-token-view',
    operationId: 'ComfyTokenView',
    summary: "ComfyUI's GET /view with a browser token instead of the API key",
    auth: 'token',
  },
  {
    method: 'GET',
    path: '/comfyui/t/{token}/api/view',
    handler: 'comfyui-token-view',
    operationId: 'ComfyTokenViewApi',
    summary: "ComfyUI's GET /api/view with a browser token (the same as /comfyui/t/{token}/view)",
    auth: 'token',
    aliasOf: 'ComfyTokenView',
  },
];
