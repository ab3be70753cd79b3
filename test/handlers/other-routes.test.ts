import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambda/http/route-table';
import { resetParsedEnv } from '../../lambda/platform/env';
import { txt2imgPrompt } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

describe('health', () => {
  it('answers GET / with "OK" and GET /ping with "pong", without data', async () => {
    const root = await callApi({ method: 'GET', path: '/' });
    expect(root.status).toBe(200);
    expect(Object.keys(root.body)).toEqual(['statusCode', 'debug', 'message']);
    expect(root.body.message).toBe('OK');
    expect((await callApi({ method: 'GET', path: '/ping' })).body.message).toBe('pong');
  });

  it('answers GET /about with what the stack outputs would tell, to an owner only', async () => {
    process.env.COMFYUI_WEBSOCKET_URL = 'wss://ws123.execute-api.us-east-1.amazonaws.com/prod';
    process.env.CONSOLE_URL = 'https://d111111abcdef8.cloudfront.net/';
    resetParsedEnv();
    try {
      const { status, body } = await callApi({ method: 'GET', path: '/about' });
      expect(status).toBe(200);
      expect(body.data).toEqual({
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        api_version: '1.7.0',
        region: 'us-east-1',
        websocket_url: 'wss://ws123.execute-api.us-east-1.amazonaws.com/prod',
        console_url: 'https://d111111abcdef8.cloudfront.net/',
        endpoints_default: 'comfy-async-default',
        endpoints: expect.arrayContaining([
          {
            endpoint_name: 'comfy-async-default',
            log_url:
              'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/%2Faws%2Fsagemaker%2FEndpoints%2Fcomfy-async-default',
          },
        ]),
      });
      expect((await callApi({ method: 'GET', path: '/about', apiKeyId: null })).status).toBe(401);
      // The health routes stay answerable without an owner.
      expect((await callApi({ method: 'GET', path: '/ping', apiKeyId: null })).status).toBe(200);
    } finally {
      delete process.env.COMFYUI_WEBSOCKET_URL;
      delete process.env.CONSOLE_URL;
      resetParsedEnv();
    }
  });

  it('fills the debug links from the Lambda environment', async () => {
    const { body } = await callApi({ method: 'GET', path: '/ping' });
    expect(body.debug).toEqual({
      function_url:
        'https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/comfy-exec-GetExecute-AbC123',
      log_url:
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/%2Faws%2Flambda%2Fcomfy-exec-GetExecute-AbC123/log-events/2026%2F11%2F22%2F%5B%24LATEST%5D0123456789abcdef',
      trace_url:
        'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#xray:traces/1-6740d2a1-0123456789abcdef01234567',
    });
  });
});

describe('GET /api', () => {
  it('returns the raw OpenAPI document of every route, without the envelope or x-api-version', async () => {
    const response = await callApi({ method: 'GET', path: '/api' });
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.headers).not.toHaveProperty('x-api-version');
    for (const route of ROUTES) {
      expect(response.body.paths[route.path][route.method.toLowerCase()].operationId).toBe(route.operationId);
    }
  });
});

describe('GET /executes/{prompt_id}/logs', () => {
  it('answers 200 with no results before the run starts (ESD answered 400)', async () => {
    const id = (await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } })).body
      .data.prompt_id;
    const response = await callApi({ method: 'GET', path: `/executes/${id}/logs` });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ results: [] });
  });

  it("returns the endpoint's log lines that carry the prompt_id", async () => {
    const id = (await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } })).body
      .data.prompt_id;
    await harness.clients.documents.send(
      new UpdateCommand({
        TableName: harness.tableName,
        Key: { prompt_id: id },
        UpdateExpression: 'SET #s = :s, start_time = :t',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'running', ':t': new Date().toISOString() },
      }),
    );
    const logGroup = '/aws/sagemaker/Endpoints/comfy-async-default';
    const now = Date.now();
    const own = JSON.stringify({ level: 'INFO', message: 'got prompt', prompt_id: id, source: 'comfyui' });
    harness.aws.logs.add({ logGroup, time: now, message: own, logStream: 'AllTraffic/i-1/data-log' });
    // Lines that merely mention the id (another key's prompt may print it, even as JSON): not this execute's.
    for (const message of [
      'another prompt',
      `ml-g5-gpus-1-prompt-${id}: got prompt`,
      JSON.stringify({
        level: 'ERROR',
        message: `${id} {"prompt_id":"${id}"}`,
        prompt_id: crypto.randomUUID(),
      }),
    ])
      harness.aws.logs.add({ logGroup, time: now + 1, message, logStream: 'AllTraffic/i-1/data-log' });
    const response = await callApi({ method: 'GET', path: `/executes/${id}/logs` });
    expect(response.body.data.results).toEqual([
      {
        timestamp: new Date(now).toISOString().replace('T', ' ').replace('Z', ''),
        message: own,
        logStream: 'AllTraffic/i-1/data-log',
      },
    ]);
    expect(
      (await callApi({ method: 'GET', path: `/executes/${id}/logs`, apiKeyId: 'key-id-b' })).status,
    ).toBe(404);
  });
});

describe('GET /endpoints', () => {
  it("lists the deployment's endpoints in ESD's row shape with live status", async () => {
    const response = await callApi({ method: 'GET', path: '/endpoints' });
    expect(response.status).toBe(200);
    const rows = response.body.data.endpoints;
    expect(rows.map((r: { endpoint_name: string }) => r.endpoint_name)).toEqual([
      'comfy-async-default',
      'comfy-async-busy',
      'comfy-async-gone',
    ]);
    expect(rows[0]).toMatchObject({
      endpoint_status: 'InService',
      instance_type: 'ml.g5.xlarge',
      current_instance_count: '1',
      max_instance_number: '2',
      EndpointDeploymentJobId: expect.stringMatching(/^[a-f0-9-]{36}$/),
    });
    expect(rows[2]).toMatchObject({
      endpoint_status: 'Failed',
      error: expect.stringContaining('no endpoint named comfy-async-gone'),
    });
  });
});
