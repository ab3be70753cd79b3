import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lambda/http/openapi';
import { matchRoute, ROUTES } from '../../lambda/http/route-table';
import { txt2imgPrompt } from '../fixtures/prompts';
import { type ApiResponse, callApi } from '../support/api-client';
import type { ApiCall } from '../support/api-gateway';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, any>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });

function assertConforms(call: ApiCall, response: ApiResponse) {
  const { route } = matchRoute(call.method, call.path)!;
  const described = document.paths[route.path]![call.method.toLowerCase()].responses[String(response.status)];
  expect(described, `${route.operationId} documents status ${response.status}`).toBeDefined();
  const validate = ajv.compile(described.content['application/json'].schema);
  const valid = validate(response.body);
  expect(valid, `${route.operationId} ${response.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('real handler responses conform to the OpenAPI document', () => {
  it('for every route and its main outcomes', async () => {
    const id = crypto.randomUUID();
    const calls: ApiCall[] = [
      { method: 'POST', path: '/executes', body: { prompt_id: id, prompt: txt2imgPrompt() } },
      { method: 'POST', path: '/executes', body: { prompt_id: id, prompt: txt2imgPrompt() } },
      { method: 'POST', path: '/executes', body: { prompt_id: id, prompt: txt2imgPrompt(3) } },
      { method: 'POST', path: '/executes', body: { prompt: { '1': { inputs: {} } } } },
      { method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt(), unknown: 1 } },
      {
        method: 'POST',
        path: '/executes',
        body: { prompt: txt2imgPrompt(), extra_data: { simulate: { fault: 'unavailable' } } },
      },
      { method: 'GET', path: `/executes/${id}` },
      { method: 'GET', path: `/executes/${crypto.randomUUID()}` },
      { method: 'GET', path: '/executes', query: { limit: '2' } },
      { method: 'GET', path: '/executes', query: { limit: 'x' } },
      { method: 'GET', path: `/executes/${id}/logs` },
      { method: 'POST', path: `/executes/${id}/cancel` },
      { method: 'DELETE', path: '/executes', body: { execute_id_list: [id] } },
      { method: 'DELETE', path: '/executes', body: {} },
      { method: 'POST', path: '/inputs', body: { filename: 'cat.png', content_type: 'image/png', size: 10 } },
      { method: 'POST', path: '/inputs', body: { filename: 'a/b.png', content_type: 'image/png', size: 10 } },
      {
        method: 'POST',
        path: '/inputs',
        body: { filename: 'big.mp4', content_type: 'video/mp4', size: 2 ** 40 },
      },
      { method: 'GET', path: '/inputs', query: { limit: '5' } },
      { method: 'GET', path: '/inputs', query: { limit: '0' } },
      { method: 'DELETE', path: '/inputs/in-00000000000000000-nothing.png' },
      { method: 'POST', path: '/models', body: { folder: 'loras', name: 'x.safetensors', size: 10 } },
      { method: 'POST', path: '/models', body: { folder: 'nope', name: 'x.safetensors', size: 10 } },
      {
        method: 'POST',
        path: '/models/complete',
        body: {
          folder: 'loras',
          name: 'x.safetensors',
          upload_id: 'nosuch',
          parts: [{ part_number: 1, etag: 'x' }],
        },
      },
      { method: 'GET', path: '/models', query: { folder: 'loras' } },
      { method: 'GET', path: '/models', query: { folder: 'nope' } },
      { method: 'DELETE', path: '/models/loras/nothing.safetensors' },
      { method: 'GET', path: '/models/loras/nothing.safetensors' },
      {
        method: 'POST',
        path: '/models',
        body: { folder: 'loras', name: 'x.safetensors', source: 'ftp://x/y' },
      },
      {
        method: 'POST',
        path: '/prepare',
        body: { endpoint_name: 'comfy-async-default', prepare_type: 'nodes', s3_source_path: 's3://b/x/' },
      },
      {
        method: 'POST',
        path: '/prepare',
        body: { endpoint_name: 'comfy-async-default', prepare_type: 'models', s3_source_path: 's3://b/x/' },
        apiKeyId: 'key-id-b',
      },
      { method: 'GET', path: '/prepare/comfy-async-default' },
      { method: 'GET', path: '/prepare/nope' },
      { method: 'GET', path: '/endpoints' },
      { method: 'GET', path: '/usage' },
      { method: 'GET', path: '/usage', query: { from: '2026-12-01', to: '2026-12-07', key: '*' } },
      { method: 'GET', path: '/usage', query: { from: '2026-12-08', to: '2026-12-07' } },
      { method: 'GET', path: '/usage', query: { key: 'key-id-a' }, apiKeyId: 'key-id-b' },
      { method: 'GET', path: '/workflows' },
      { method: 'GET', path: '/workflows/default' },
      { method: 'GET', path: '/workflows/nope' },
      {
        method: 'POST',
        path: '/workflows',
        body: { name: 'x', image_uri: 'i', payload_json: '{}', size: '1' },
      },
      { method: 'DELETE', path: '/workflows', body: { workflow_name_list: ['default'] } },
      {
        method: 'POST',
        path: '/schemas',
        body: { name: 'txt2img', payload: JSON.stringify(txt2imgPrompt()) },
      },
      {
        method: 'POST',
        path: '/schemas',
        body: { name: 'txt2img', payload: JSON.stringify(txt2imgPrompt()) },
      },
      { method: 'POST', path: '/schemas', body: { name: '1bad', payload: '{}' } },
      { method: 'GET', path: '/schemas', query: { limit: '5' } },
      { method: 'GET', path: '/schemas', query: { limit: '0' } },
      { method: 'GET', path: '/schemas/txt2img' },
      { method: 'GET', path: '/schemas/nope' },
      { method: 'PUT', path: '/schemas/txt2img', body: { workflow: '' } },
      { method: 'PUT', path: '/schemas/txt2img', body: {} },
      { method: 'PUT', path: '/schemas/nope', body: { workflow: '' } },
      { method: 'POST', path: '/schemas/txt2img/executes', body: { inputs: { seed: 5 } } },
      { method: 'POST', path: '/schemas/txt2img/executes', body: { inputs: { seed: 'x' } } },
      { method: 'POST', path: '/schemas/nope/executes', body: {} },
      { method: 'DELETE', path: '/schemas', body: { schema_name_list: ['txt2img'] } },
      { method: 'DELETE', path: '/schemas', body: {} },
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/ping' },
      { method: 'GET', path: '/about' },
      { method: 'GET', path: '/api' },
      { method: 'POST', path: '/comfyui/prompt', body: { prompt: txt2imgPrompt(), client_id: 'c1' } },
      {
        method: 'POST',
        path: '/comfyui/prompt',
        body: { prompt: { '1': { class_type: 'Nope', inputs: {} } } },
      },
      { method: 'POST', path: '/comfyui/prompt', body: { client_id: 'c1' } },
      { method: 'GET', path: '/comfyui/prompt' },
      { method: 'GET', path: '/comfyui/queue' },
      { method: 'GET', path: '/comfyui/history', query: { max_items: '5' } },
      { method: 'GET', path: `/comfyui/history/${id}` },
      { method: 'POST', path: '/comfyui/interrupt', body: {} },
      { method: 'POST', path: '/comfyui/history', body: { delete: [id] } },
      { method: 'POST', path: '/comfyui/queue', body: { clear: true } },
      { method: 'GET', path: '/comfyui/view', query: { filename: 'nothing.png', type: 'output' } },
      { method: 'GET', path: '/comfyui/token' },
      { method: 'GET', path: '/comfyui/token', query: { expires_in: '5' } },
      { method: 'POST', path: '/comfyui/upload/image', body: {} },
      { method: 'POST', path: '/comfyui/upload/mask', body: {} },
      { method: 'GET', path: '/comfyui/models' },
      { method: 'GET', path: '/comfyui/models/loras' },
      { method: 'GET', path: '/comfyui/models/nope' },
      { method: 'GET', path: '/comfyui/embeddings' },
      { method: 'GET', path: '/comfyui/system_stats' },
      { method: 'GET', path: '/comfyui/features' },
      { method: 'GET', path: '/comfyui/ws' },
      { method: 'GET', path: '/webhooks/secret' },
      { method: 'POST', path: '/webhooks/secret/rotate' },
      { method: 'GET', path: '/comfyui/object_info' },
      { method: 'GET', path: '/comfyui/object_info/KSampler' },
    ];
    // ComfyUI's /api prefix: every /comfyui/ call again under /comfyui/api/, the same route.
    const underApi = calls
      .filter((call) => call.path.startsWith('/comfyui/'))
      .map((call) => ({ ...call, path: call.path.replace(/^\/comfyui\//, '/comfyui/api/') }));
    const seen = new Set<string>();
    for (const call of [...calls, ...underApi]) {
      const response = await callApi(call);
      assertConforms(call, response);
      seen.add(response.operationId);
    }
    // The browser-token views: with the token a key was just given, and with a made-up one.
    const { token } = (await callApi({ method: 'GET', path: '/comfyui/token' })).body as { token: string };
    for (const path of [`/comfyui/t/${token}/view`, '/comfyui/t/v1.made-up/api/view']) {
      const call: ApiCall = { method: 'GET', path, query: { filename: 'nothing.png' }, apiKeyId: null };
      const response = await callApi(call);
      expect(response.status).toBe(path.includes('made-up') ? 403 : 404);
      assertConforms(call, response);
      seen.add(response.operationId);
    }
    expect([...seen].sort()).toEqual(ROUTES.map((route) => route.operationId).sort());
  });

  it('and the validator does reject a body that breaks the schema', () => {
    const call: ApiCall = { method: 'GET', path: '/ping' };
    expect(() =>
      assertConforms(call, {
        status: 200,
        body: { statusCode: 200, debug: { function_url: 1 } },
        text: '{"statusCode":200,"debug":{"function_url":1}}',
        headers: {},
        operationId: 'Ping',
      }),
    ).toThrow();
  });
});
