import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txt2imgPrompt } from '../fixtures/prompts';
import { type ApiResponse, callApi } from '../support/api-client';
import { snsEvent } from '../support/api-gateway';
import { onAsyncResult } from './handlers';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness();
});
afterAll(() => harness.stop());

async function footprint() {
  const { Count } = await harness.clients.documents.send(
    new ScanCommand({ TableName: harness.tableName, Select: 'COUNT' }),
  );
  const { KeyCount } = await harness.clients.s3.send(
    new ListObjectsV2Command({ Bucket: harness.bucketName, Prefix: 'executes/' }),
  );
  return `${Count ?? 0}/${KeyCount ?? 0}`;
}

/** What every answer to bad input must be: a 4xx (or a success), never a 5xx, and a message naming the problem. */
function expectClientAnswer(response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  if (response.status >= 400) {
    expect(typeof response.body.message).toBe('string');
    expect(response.body.message.length).toBeGreaterThan(3);
  }
}

const FIELDS = [
  'prompt',
  'prompt_id',
  'endpoint_name',
  'need_sync',
  'number',
  'front',
  'extra_data',
  'client_id',
  'workflow',
  'workflow_name',
  'need_prepare',
  'prepare_props',
  'multi_async',
  'dry_run',
  'inputs',
];

describe('fuzzing the API with property-based inputs (fast-check)', () => {
  it('POST /executes with arbitrary JSON bodies: no 5xx, and a refused request leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const before = await footprint();
        const response = await callApi({ method: 'POST', path: '/executes', rawBody: JSON.stringify(body) });
        expectClientAnswer(response);
        if (response.status >= 400) expect(await footprint()).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  it('POST /executes with a valid body whose fields are replaced by arbitrary values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIELDS),
        fc.jsonValue(),
        fc.boolean(),
        async (field, value, graphLevel) => {
          const prompt: Record<string, any> = txt2imgPrompt();
          const body: Record<string, unknown> = { prompt };
          if (graphLevel) prompt['3'].inputs[field] = value;
          else body[field] = value;
          const before = await footprint();
          const response = await callApi({
            method: 'POST',
            path: '/executes',
            body: { ...body, dry_run: body.dry_run ?? true },
          });
          expectClientAnswer(response);
          if (response.status >= 400) expect(await footprint()).toBe(before);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('POST /executes with arbitrary text as the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
        expectClientAnswer(await callApi({ method: 'POST', path: '/executes', rawBody: text }));
      }),
      { numRuns: 60 },
    );
  });

  it('path parameters and query strings of every read route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.dictionary(
          fc.constantFrom('limit', 'status', 'exclusive_start_key', 'other'),
          fc.string({ maxLength: 40 }),
        ),
        async (id, query) => {
          const safeId = id.replaceAll('/', '_') || '_';
          for (const path of [`/executes/${safeId}`, `/executes/${safeId}/logs`])
            expectClientAnswer(await callApi({ method: 'GET', path }));
          expectClientAnswer(await callApi({ method: 'POST', path: `/executes/${safeId}/cancel` }));
          expectClientAnswer(await callApi({ method: 'GET', path: '/executes', query }));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('DELETE /executes with arbitrary bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        expectClientAnswer(
          await callApi({ method: 'DELETE', path: '/executes', rawBody: JSON.stringify(body) }),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('OnAsyncResult with arbitrary SNS messages: handled, ignored, or refused as unreadable (for the DLQ), never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            invocationStatus: fc.constantFrom('Completed', 'Failed'),
            inferenceId: fc.string(),
            responseParameters: fc.jsonValue(),
          }),
        ),
        async (message) => {
          try {
            await onAsyncResult(snsEvent(message));
          } catch (error) {
            expect((error as Error).message).toMatch(/^unreadable SageMaker notification/);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
