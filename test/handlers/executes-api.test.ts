import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txt2imgPrompt } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { snsEvent } from '../support/api-gateway';
import { onAsyncResult } from './handlers';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

const newId = () => crypto.randomUUID();

async function itemCount() {
  const { Items } = await harness.clients.documents.send(new ScanCommand({ TableName: harness.tableName }));
  return Items?.length ?? 0;
}

async function objectKeys(prefix: string) {
  const { Contents } = await harness.clients.s3.send(
    new ListObjectsV2Command({ Bucket: harness.bucketName, Prefix: prefix }),
  );
  return (Contents ?? []).map((o) => o.Key!);
}

describe('POST /executes', () => {
  it('says in its message which outputs will not run, and why, when some failed validation (201)', async () => {
    const prompt = {
      ...txt2imgPrompt(),
      '20': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'absent.safetensors' } },
      '21': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['20', 2] } },
      '22': { class_type: 'SaveImage', inputs: { images: ['21', 0], filename_prefix: 'x' } },
    };
    const response = await callApi({ method: 'POST', path: '/executes', body: { prompt } });
    expect(response.status).toBe(201);
    expect(response.body.message).toMatch(
      /^Created; output node 22 and the nodes only it needs will not be sent to the endpoint: .*absent\.safetensors/,
    );
    const dryRun = await callApi({ method: 'POST', path: '/executes', body: { prompt, dry_run: true } });
    expect(dryRun.body.message).toBe(
      'valid (some outputs would not run: see warnings): nothing stored or run (dry_run)',
    );
  });

  it('creates, stages the request in S3 and queues it with InferenceId = prompt_id (201)', async () => {
    const promptId = newId();
    const before = harness.aws.invokeCalls.length;
    const response = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt_id: promptId, prompt: txt2imgPrompt(), number: '1' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ statusCode: 201, message: 'Created' });
    expect(response.body.data).toMatchObject({
      prompt_id: promptId,
      status: 'created',
      endpoint_name: 'comfy-async-default',
      inference_type: 'Async',
      start_time: '',
      inference_id: promptId,
      owner: 'key-id-a',
      prompt_params: { prompt: txt2imgPrompt(), number: '1' },
    });
    const invocations = harness.aws.invokeCalls.slice(before);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({ inferenceId: promptId, answer: 'accepted' });
    const inputLocation = invocations[0]!.inputLocation!;
    expect(inputLocation).toBe(response.body.data.prompt_path);
    expect(inputLocation.startsWith(`s3://${harness.bucketName}/executes/${promptId}/request-`)).toBe(true);
    const staged = await harness.clients.s3.send(
      new GetObjectCommand({
        Bucket: harness.bucketName,
        Key: inputLocation.split(`${harness.bucketName}/`)[1]!,
      }),
    );
    expect(JSON.parse(await staged.Body!.transformToString())).toMatchObject({
      prompt_id: promptId,
      prompt: txt2imgPrompt(),
    });
  });

  it('is idempotent on prompt_id: same body → 200 and no second invocation; different body → 409', async () => {
    const promptId = newId();
    const body = { prompt_id: promptId, prompt: txt2imgPrompt(), client_id: 'c1' };
    const first = await callApi({ method: 'POST', path: '/executes', body });
    const count = harness.aws.invokeCalls.length;
    const again = await callApi({
      method: 'POST',
      path: '/executes',
      body: { client_id: 'c1', prompt: txt2imgPrompt(), prompt_id: promptId },
    });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);
    const conflict = await callApi({
      method: 'POST',
      path: '/executes',
      body: { ...body, prompt: txt2imgPrompt(7) },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain(promptId);
    expect(harness.aws.invokeCalls.length).toBe(count);
    expect(await objectKeys(`executes/${promptId}/`)).toHaveLength(1);
  });

  it("answers another key's prompt_id exactly as a conflict of one's own: ids are global, owners hidden", async () => {
    const promptId = newId();
    await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt_id: promptId, prompt: txt2imgPrompt() },
    });
    const own = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt_id: promptId, prompt: txt2imgPrompt(7) },
    });
    // Another key sends the very request the owner sent: still a conflict, worded the same.
    const others = await callApi({
      method: 'POST',
      path: '/executes',
      apiKeyId: 'someone-else',
      body: { prompt_id: promptId, prompt: txt2imgPrompt() },
    });
    expect(others.status).toBe(own.status);
    expect(others.status).toBe(409);
    expect(others.body.message).toBe(own.body.message);
    expect(others.body.data).toEqual(own.body.data);
  });

  it('rejects bad input with a clear 400 and writes nothing', async () => {
    const items = await itemCount();
    const objects = (await objectKeys('executes/')).length;
    const cases: [Parameters<typeof callApi>[0], string | RegExp][] = [
      [
        { method: 'POST', path: '/executes', rawBody: null },
        'the JSON object must be str, bytes or bytearray, not NoneType',
      ],
      [{ method: 'POST', path: '/executes', rawBody: '{"prompt": ' }, /^request body is not valid JSON/],
      [
        { method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt(), colour: 'red' } },
        "ExecuteEvent.__init__() got an unexpected keyword argument 'colour'",
      ],
      [{ method: 'POST', path: '/executes', body: { prompt: {} } }, 'Prompt is required'],
      [
        { method: 'POST', path: '/executes', body: { endpoint_name: 'comfy-async-default' } },
        "ExecuteEvent.__init__() missing 1 required positional argument: 'prompt'",
      ],
      [
        { method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt(), prompt_id: 'not-a-uuid' } },
        /prompt_id must be a canonical lowercase UUID/,
      ],
      [
        {
          method: 'POST',
          path: '/executes',
          body: { prompt: txt2imgPrompt(), endpoint_name: 'comfy-async-elsewhere' },
        },
        /Endpoint 'comfy-async-elsewhere' is not served by this deployment/,
      ],
    ];
    for (const [call, message] of cases) {
      const response = await callApi(call);
      expect(response.status, JSON.stringify(call)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
    expect(await itemCount()).toBe(items);
    expect((await objectKeys('executes/')).length).toBe(objects);
  });

  it('answers 400 with ComfyUI node_errors for a broken graph', async () => {
    const prompt = txt2imgPrompt();
    (prompt['3'] as any).inputs.model = ['404', 0];
    const response = await callApi({ method: 'POST', path: '/executes', body: { prompt } });
    expect(response.status).toBe(400);
    expect(response.body.data.error.type).toBe('prompt_outputs_failed_validation');
    expect(response.body.data.node_errors['3']).toMatchObject({
      class_type: 'KSampler',
      errors: [{ type: 'bad_linked_input' }],
    });
    expect(response.body.message).toMatch(/^Prompt outputs failed validation: 1 error in node 3/);
  });

  it('records the failure when SageMaker throttles (503 after retries) or lacks the endpoint (400)', async () => {
    const busy = newId();
    const throttled = await callApi({
      method: 'POST',
      path: '/executes',
      body: {
        prompt_id: busy,
        prompt: txt2imgPrompt(),
        endpoint_name: 'comfy-async-busy',
        extra_data: { simulate: { fault: 'throttle' } },
      },
    });
    expect(throttled.status).toBe(503);
    expect(throttled.body.message).toMatch(/busy or unavailable.*ThrottlingException/);
    expect(throttled.body.data).toEqual({ prompt_id: busy, status: 'failed' });
    expect(harness.aws.invokeCalls.filter((i) => i.inferenceId === busy).map((i) => i.answer)).toEqual([
      'throttled',
      'throttled',
      'throttled',
    ]);
    const record = await callApi({ method: 'GET', path: `/executes/${busy}` });
    expect(record.body.data).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('InvokeEndpointAsync failed'),
    });

    const gone = newId();
    const missing = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt_id: gone, prompt: txt2imgPrompt(), endpoint_name: 'comfy-async-gone' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('Endpoint comfy-async-gone not found');
    expect((await callApi({ method: 'GET', path: `/executes/${gone}` })).body.data.status).toBe('failed');
  });

  it('accepts a prompt too big for one DynamoDB item and returns it from S3', async () => {
    const prompt = txt2imgPrompt();
    (prompt['6'] as any).inputs.text = 'galaxy '.repeat(70_000);
    const created = await callApi({ method: 'POST', path: '/executes', body: { prompt } });
    expect(created.status).toBe(201);
    const read = await callApi({ method: 'GET', path: `/executes/${created.body.data.prompt_id}` });
    expect(read.body.data.prompt_params.prompt).toEqual(prompt);
  });
});

describe('GET /executes/{prompt_id}', () => {
  it("answers ESD's exact 404 for an unknown id and for another key's execute", async () => {
    const created = await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } });
    const id = created.body.data.prompt_id;
    for (const call of [
      { method: 'GET' as const, path: `/executes/${id}`, apiKeyId: 'key-id-b' },
      { method: 'GET' as const, path: `/executes/${newId()}` },
    ]) {
      const response = await callApi(call);
      expect(response.status).toBe(404);
      expect(Object.keys(response.body)).toEqual(['statusCode', 'debug', 'data', 'message']);
      expect(response.body).toMatchObject({
        statusCode: 404,
        data: `execute not found for prompt_id: ${call.path.split('/')[2]}`,
        message: 'Not Found',
      });
    }
  });

  it('returns output files as pre-signed URLs after the async result arrives', async () => {
    const created = await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } });
    const id = created.body.data.prompt_id;
    const outputKey = `executes/${id}/outputs/9/ComfyUI_00001_.png`;
    await harness.clients.s3.send(
      new PutObjectCommand({ Bucket: harness.bucketName, Key: outputKey, Body: 'PNG!' }),
    );
    const outKey = `async-out/${id}.out`;
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: outKey,
        Body: JSON.stringify({
          prompt_id: id,
          status: 'success',
          output_path: `s3://${harness.bucketName}/executes/${id}/outputs/`,
          output_files: ['9/ComfyUI_00001_.png'],
        }),
      }),
    );
    await onAsyncResult(
      snsEvent({
        awsRegion: 'us-east-1',
        eventTime: '2026-11-22T10:01:00.000Z',
        receivedTime: '2026-11-22T10:00:00.000Z',
        invocationStatus: 'Completed',
        requestParameters: {
          endpointName: 'comfy-async-default',
          inputLocation: created.body.data.prompt_path,
        },
        responseParameters: {
          contentType: 'application/json',
          outputLocation: `s3://${harness.bucketName}/${outKey}`,
        },
        inferenceId: id,
        eventVersion: '1.0',
        eventSource: 'aws:sagemaker',
        eventName: 'InferenceResult',
      }),
    );
    const read = await callApi({ method: 'GET', path: `/executes/${id}` });
    expect(read.body.data).toMatchObject({ status: 'success', complete_time: '2026-11-22T10:01:00.000Z' });
    const [url] = read.body.data.output_files;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*ComfyUI_00001_\.png\?.*X-Amz-Expires=3600/);
    expect(await (await fetch(url)).text()).toBe('PNG!');
  });
});

describe('GET /executes', () => {
  it("lists the caller's executes newest first, pages with an opaque cursor, filters by status", async () => {
    const owner = `key-list-${newId()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await callApi({
        method: 'POST',
        path: '/executes',
        body: { prompt: txt2imgPrompt(i) },
        apiKeyId: owner,
      });
      ids.push(created.body.data.prompt_id);
    }
    await callApi({ method: 'POST', path: `/executes/${ids[1]}/cancel`, apiKeyId: owner });
    const first = await callApi({ method: 'GET', path: '/executes', query: { limit: '3' }, apiKeyId: owner });
    expect(first.status).toBe(200);
    const second = await callApi({
      method: 'GET',
      path: '/executes',
      query: { limit: '3', exclusive_start_key: first.body.data.last_evaluated_key },
      apiKeyId: owner,
    });
    const listed = [...first.body.data.executes, ...second.body.data.executes].map(
      (e: { prompt_id: string }) => e.prompt_id,
    );
    expect(listed).toEqual([...ids].reverse());
    const cancelled = await callApi({
      method: 'GET',
      path: '/executes',
      query: { status: 'cancelled' },
      apiKeyId: owner,
    });
    expect(cancelled.body.data.executes.map((e: { prompt_id: string }) => e.prompt_id)).toEqual([ids[1]]);
    const other = await callApi({ method: 'GET', path: '/executes', apiKeyId: `${owner}-other` });
    expect(other.body.data).toEqual({ executes: [], last_evaluated_key: null });
    const tampered = await callApi({
      method: 'GET',
      path: '/executes',
      query: { exclusive_start_key: first.body.data.last_evaluated_key },
      apiKeyId: `${owner}-other`,
    });
    expect(tampered.status).toBe(400);
    const badLimit = await callApi({
      method: 'GET',
      path: '/executes',
      query: { limit: '1000' },
      apiKeyId: owner,
    });
    expect(badLimit.body.message).toBe('query: limit must be an integer from 1 to 100');
  });
});

describe('POST /executes/{prompt_id}/cancel', () => {
  it('cancels a created execute, is idempotent, and is 404 for another key', async () => {
    const id = (await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } })).body
      .data.prompt_id;
    expect(
      (await callApi({ method: 'POST', path: `/executes/${id}/cancel`, apiKeyId: 'key-id-b' })).status,
    ).toBe(404);
    const cancelled = await callApi({ method: 'POST', path: `/executes/${id}/cancel` });
    expect(cancelled.body.data).toMatchObject({ status: 'cancelled', cancel_requested: true });
    const again = await callApi({ method: 'POST', path: `/executes/${id}/cancel` });
    expect(again.body.data).toEqual(cancelled.body.data);
  });
});

describe('DELETE /executes', () => {
  it("deletes the caller's records and objects, leaves others', answers 204 with ESD's body", async () => {
    const mine = (await callApi({ method: 'POST', path: '/executes', body: { prompt: txt2imgPrompt() } }))
      .body.data.prompt_id;
    const theirs = (
      await callApi({
        method: 'POST',
        path: '/executes',
        body: { prompt: txt2imgPrompt() },
        apiKeyId: 'key-id-b',
      })
    ).body.data.prompt_id;
    await harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: harness.bucketName,
        Key: `executes/${mine}/outputs/9/x.png`,
        Body: 'x',
      }),
    );
    const response = await callApi({
      method: 'DELETE',
      path: '/executes',
      body: { execute_id_list: [mine, theirs] },
    });
    expect(response.status).toBe(204);
    expect(response.body).toMatchObject({ statusCode: 204, message: 'execute deleted' });
    expect((await callApi({ method: 'GET', path: `/executes/${mine}` })).status).toBe(404);
    expect(await objectKeys(`executes/${mine}/`)).toEqual([]);
    expect((await callApi({ method: 'GET', path: `/executes/${theirs}`, apiKeyId: 'key-id-b' })).status).toBe(
      200,
    );
    expect((await objectKeys(`executes/${theirs}/`)).length).toBe(1);
    for (const body of [
      { execute_id_list: [] },
      { execute_id_list: Array.from({ length: 101 }, newId) },
      { ids: [mine] },
    ]) {
      expect((await callApi({ method: 'DELETE', path: '/executes', body })).status).toBe(400);
    }
  });
});

describe('owner is the API key', () => {
  it('answers 401 when API Gateway passed no key id', async () => {
    const response = await callApi({ method: 'GET', path: '/executes', apiKeyId: null });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Unauthorized');
  });
});
