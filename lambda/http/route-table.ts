import { COMFYUI_API_ALIASES, COMFYUI_FACADE_ROUTES, COMFYUI_TOKEN_ROUTES } from './comfyui-route-table';
import { TEMPLATE_ROUTES } from './template-routes';

/**
 * Every HTTP route, once: the CDK API and the local gateway both build their routes from this
 * table, and the OpenAPI document describes exactly these. `handler` names a file in
 * lambda/handlers/ (its export `handler`), one Lambda function per file.
 */
export const HANDLERS = [
  'create-execute',
  'get-execute',
  'list-executes',
  'delete-executes',
  'cancel-execute',
  'get-execute-logs',
  'create-input',
  'list-inputs',
  'delete-input',
  'start-model-upload',
  'complete-model-upload',
  'list-models',
  'delete-model',
  'prepare-endpoint',
  'get-prepare',
  'list-endpoints',
  'workflows',
  'templates',
  'get-usage',
  'health',
  'api-doc',
  'comfyui-api',
  'comfyui-token-view',
  'webhook-secret',
] as const;
export type HttpHandlerName = (typeof HANDLERS)[number];

/** Functions that are not behind the REST API (events, schedules, and ComfyUI's websocket). */
export const EVENT_HANDLERS = [
  'on-async-result',
  'sweeper',
  'comfyui-socket',
  'comfyui-socket-authorizer',
  'comfyui-events',
  'dispatch-webhooks',
  'deliver-webhooks',
  'import-model',
] as const;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path, `{name}` for path parameters. */
  path: string;
  handler: HttpHandlerName;
  operationId: string;
  summary: string;
  /** The operation this route is another path of (ComfyUI's `/api` prefix): same handler, same OpenAPI description. */
  aliasOf?: string;
  /**
   * `token`: no API key; the route's `{token}` path parameter (a browser token) is the credential,
   * checked by the handler. Every other route requires the API key. @default key
   */
  auth?: 'key' | 'token';
}

export const ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/executes',
    handler: 'create-execute',
    operationId: 'CreateExecute',
    summary: 'Queue a ComfyUI prompt on the async endpoint',
  },
  {
    method: 'GET',
    path: '/executes',
    handler: 'list-executes',
    operationId: 'ListExecutes',
    summary: "The caller's executes, newest first",
  },
  {
    method: 'DELETE',
    path: '/executes',
    handler: 'delete-executes',
    operationId: 'DeleteExecutes',
    summary: 'Delete executes and their S3 objects',
  },
  {
    method: 'GET',
    path: '/executes/{prompt_id}',
    handler: 'get-execute',
    operationId: 'GetExecute',
    summary: 'One execute, output files as pre-signed URLs',
  },
  {
    method: 'POST',
    path: '/executes/{prompt_id}/cancel',
    handler: 'cancel-execute',
    operationId: 'CancelExecute',
    summary: 'Cancel an execute (idempotent)',
  },
  {
    method: 'GET',
    path: '/executes/{prompt_id}/logs',
    handler: 'get-execute-logs',
    operationId: 'GetExecuteLogs',
    summary: "The endpoint's log lines for this execute",
  },
  {
    method: 'POST',
    path: '/inputs',
    handler: 'create-input',
    operationId: 'CreateInput',
    summary: 'Name a new input file and get an upload URL for it',
  },
  {
    method: 'GET',
    path: '/inputs',
    handler: 'list-inputs',
    operationId: 'ListInputs',
    summary: "The caller's uploaded inputs, newest first",
  },
  {
    method: 'DELETE',
    path: '/inputs/{name}',
    handler: 'delete-input',
    operationId: 'DeleteInput',
    summary: 'Delete one uploaded input',
  },
  {
    method: 'POST',
    path: '/models',
    handler: 'start-model-upload',
    operationId: 'StartModelUpload',
    summary:
      'Add a model to the library (model writers only): a multipart upload (size), or an import from a URL (source)',
  },
  {
    method: 'POST',
    path: '/models/complete',
    handler: 'complete-model-upload',
    operationId: 'CompleteModelUpload',
    summary: 'Assemble the uploaded parts into the model (model writers only)',
  },
  {
    method: 'GET',
    path: '/models',
    handler: 'list-models',
    operationId: 'ListModels',
    summary: 'The model library, by folder and name',
  },
  {
    method: 'GET',
    path: '/models/{folder}/{name}',
    handler: 'list-models',
    operationId: 'GetModel',
    summary: 'One model of the library, and its import from a URL (progress, or why it failed)',
  },
  {
    method: 'DELETE',
    path: '/models/{folder}/{name}',
    handler: 'delete-model',
    operationId: 'DeleteModel',
    summary: 'Delete a model from the library (model writers only; a name with subfolders is URL-encoded)',
  },
  {
    method: 'POST',
    path: '/prepare',
    handler: 'prepare-endpoint',
    operationId: 'PrepareEndpoint',
    summary: "ESD's prepare: copy a prefix into the model library (models) or the caller's inputs (inputs)",
  },
  {
    method: 'GET',
    path: '/prepare/{endpoint_name}',
    handler: 'get-prepare',
    operationId: 'GetPrepare',
    summary: "ESD's prepare status: endpoints fetch what prompts need on demand, so always prepared",
  },
  {
    method: 'GET',
    path: '/endpoints',
    handler: 'list-endpoints',
    operationId: 'ListEndpoints',
    summary: 'The inference endpoints this deployment routes to',
  },
  {
    method: 'GET',
    path: '/usage',
    handler: 'get-usage',
    operationId: 'GetUsage',
    summary:
      "GPU time, queue time, outcomes and output bytes per UTC day and endpoint: the caller's own, or (an operator key) any key's",
  },
  {
    method: 'GET',
    path: '/workflows',
    handler: 'workflows',
    operationId: 'ListWorkflows',
    summary:
      "ESD's workflows: the deployed environments (environments/{name}.json), each on endpoint comfy-async-{name}",
  },
  {
    method: 'GET',
    path: '/workflows/{name}',
    handler: 'workflows',
    operationId: 'GetWorkflow',
    summary: 'One deployed environment: its endpoint status, image and environment file',
  },
  {
    method: 'POST',
    path: '/workflows',
    handler: 'workflows',
    operationId: 'CreateWorkflow',
    summary: 'Refused: an environment is added by adding its file and running cdk deploy',
  },
  {
    method: 'DELETE',
    path: '/workflows',
    handler: 'workflows',
    operationId: 'DeleteWorkflows',
    summary: 'Refused: an environment is removed by removing its file and running cdk deploy',
  },
  ...TEMPLATE_ROUTES,
  {
    method: 'GET',
    path: '/webhooks/secret',
    handler: 'webhook-secret',
    operationId: 'GetWebhookSecret',
    summary: "The caller's webhook signing secret (Standard Webhooks), created on first use",
  },
  {
    method: 'POST',
    path: '/webhooks/secret/rotate',
    handler: 'webhook-secret',
    operationId: 'RotateWebhookSecret',
    summary: 'A new signing secret; the previous one keeps signing for 24 hours',
  },
  ...COMFYUI_FACADE_ROUTES,
  ...COMFYUI_API_ALIASES,
  ...COMFYUI_TOKEN_ROUTES,
  { method: 'GET', path: '/', handler: 'health', operationId: 'RootAPI', summary: 'Health: "OK"' },
  { method: 'GET', path: '/ping', handler: 'health', operationId: 'Ping', summary: 'Health: "pong"' },
  {
    method: 'GET',
    path: '/about',
    handler: 'health',
    operationId: 'GetAbout',
    summary: 'This deployment: version, region, endpoints, and where its websocket and console are',
  },
  {
    method: 'GET',
    path: '/api',
    handler: 'api-doc',
    operationId: 'GetApiOAS',
    summary: 'This OpenAPI document (raw, no envelope)',
  },
];

/** A path segment decoded, or as it came when its percent-encoding is malformed (`%`, `%zz`). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route a method and a concrete path select, with the path parameters filled in. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const actual = path.split('/').filter(Boolean);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== actual.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = pattern.every((part, i) => {
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name) pathParameters[name] = safeDecode(actual[i]!);
      return name !== undefined || part === actual[i];
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
