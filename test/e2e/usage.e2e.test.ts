import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetMetrics } from '../../lambda/platform/metrics';
import { TEST_CREDENTIALS } from '../../local/local-credentials';
import { apiKeyId, type LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { captureEmf, emfOn } from '../support/emf';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

/**
 * Issue 31: usage per key, through `npm start`'s composition. Every way an execute ends (the
 * container's write, the notification's, CreateExecute's failed invocation, a cancel while queued,
 * a duplicate notification) adds to its owner's row once; GET /usage answers the sums of the
 * records to the millisecond; the operator key (the first) reads both keys; the daily GPU cap
 * answers 429 before anything is queued.
 */
const KEY_C = 'e2eKeyCcccccccccccccc';
const PRICE = 1.5;
const CAP_SECONDS = 1;
let stack: LocalStack;
let documents: DynamoDBDocumentClient;
beforeAll(async () => {
  // The functions' EMF lines, as Lambda writes them (the stack runs them in this process).
  emfOn();
  resetMetrics();
  stack = await startE2eStack({
    apiKeys: [KEY_A, KEY_B, KEY_C],
    gpuSecondsPerDay: { [KEY_C]: CAP_SECONDS },
    pricePerHour: { 'ml.g5.xlarge': PRICE },
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: process.env.AWS_REGION, credentials: TEST_CREDENTIALS }),
  );
}, 120_000);
afterAll(() => stack?.stop());

const counted = async (id: string) =>
  (
    await documents.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: { prompt_id: id }, ConsistentRead: true }),
    )
  ).Item?.usage_counted === true;

async function create(key: string, body: Record<string, unknown>) {
  const created = await api(stack, 'POST', 'executes', { key, body });
  return { status: created.status, id: created.body.data?.prompt_id as string, body: created.body };
}

/** The usage of a record as GET /usage documents it (computed here from what GetExecute shows). */
function usageOfRecord(record: Record<string, any>) {
  const at = (iso: string) => Date.parse(iso);
  const ended = at(record.complete_time);
  const gpu =
    typeof record.timings?.total_ms === 'number'
      ? Math.round(record.timings.total_ms)
      : record.start_time
        ? ended - at(record.start_time)
        : 0;
  return {
    gpu_ms: gpu,
    queue_ms: (record.start_time ? at(record.start_time) : ended) - at(record.create_time),
    output_bytes: record.output_bytes ?? 0,
  };
}

function sums(records: Record<string, any>[]) {
  const total = {
    executes: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    gpu_ms: 0,
    queue_ms: 0,
    output_bytes: 0,
  };
  for (const record of records) {
    const usage = usageOfRecord(record);
    total.executes += 1;
    if (record.status === 'success') total.succeeded += 1;
    if (record.status === 'failed') total.failed += 1;
    if (record.status === 'cancelled') total.cancelled += 1;
    total.gpu_ms += usage.gpu_ms;
    total.queue_ms += usage.queue_ms;
    total.output_bytes += usage.output_bytes;
  }
  return total;
}

describe('usage per key', () => {
  const records: { a: Record<string, any>[]; b: Record<string, any>[] } = { a: [], b: [] };

  it('counts every way an execute ends, once, and answers the records’ sums to the millisecond', async () => {
    const emf = captureEmf();
    // Holds the endpoint (one invocation at a time), so the next one can be cancelled while queued.
    const holding = await create(KEY_A, { prompt: tinyTxt2imgPrompt(1, 60) });
    const queued = await create(KEY_A, { prompt: tinyTxt2imgPrompt(2, 2) });
    expect((await api(stack, 'POST', `executes/${queued.id}/cancel`)).status).toBe(200);
    const runs = [
      holding,
      queued,
      await create(KEY_A, {
        prompt: tinyTxt2imgPrompt(3, 2),
        extra_data: { simulate: { fault: 'duplicate_notification' } },
      }),
      await create(KEY_A, { prompt: tinyTxt2imgPrompt(4, 2), extra_data: { simulate: { fail_node: '3' } } }),
      await create(KEY_A, {
        prompt: tinyTxt2imgPrompt(5, 2),
        extra_data: { simulate: { fault: 'container_error' } },
      }),
    ];
    // SageMaker throttles the invocation: CreateExecute fails the record itself (503).
    const throttled = await create(KEY_A, {
      prompt: tinyTxt2imgPrompt(6, 2),
      extra_data: { simulate: { fault: 'throttle' } },
    });
    expect(throttled.status).toBe(503);
    const other = await create(KEY_B, { prompt: tinyTxt2imgPrompt(7, 2) });
    for (const run of [...runs, other]) expect(run.status, JSON.stringify(run.body)).toBe(201);

    for (const run of [...runs, { id: throttled.body.data.prompt_id as string }])
      records.a.push((await pollUntilFinal(stack, run.id)).record);
    records.b.push((await pollUntilFinal(stack, other.id, KEY_B)).record);
    expect(records.a.map((record) => record.status)).toEqual([
      'success',
      'cancelled',
      'success',
      'failed',
      'failed',
      'failed',
    ]);
    // The container completes successes without usage: its notification counts them.
    for (const record of [...records.a, ...records.b])
      await expect.poll(() => counted(record.prompt_id), { timeout: 30_000 }).toBe(true);

    const usage = await api(stack, 'GET', 'usage');
    expect(usage.status).toBe(200);
    const { rows, totals, currency, key } = usage.body.data;
    expect({ key, currency }).toEqual({ key: apiKeyId(KEY_A), currency: 'USD' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      endpoint_name: 'comfy-async-local',
      key: apiKeyId(KEY_A),
      instance_type: 'ml.g5.xlarge',
    });
    const expected = sums(records.a);
    expect(totals).toMatchObject({ ...expected, gpu_seconds: expected.gpu_ms / 1000 });
    expect(expected.gpu_ms).toBeGreaterThan(0);
    expect(expected.output_bytes).toBeGreaterThan(0);
    // Rounded to a millionth per row, and the sum again.
    expect(totals.estimated_cost).toBeCloseTo((expected.gpu_ms / 3_600_000) * PRICE, 5);
    // The cancelled one never ran: queue time only.
    expect(usageOfRecord(records.a[1]!).gpu_ms).toBe(0);

    // The metrics, once per execute whoever ended it (the duplicate notification adds none): every
    // one queued was created; each end is told with the usage GET /usage sums.
    emf.stop();
    const ofA = (line: Record<string, any>) => line.endpoint_name === 'comfy-async-local' && !line.template;
    const count = (name: string) =>
      emf.lines.filter((line) => ofA(line) && name in line).reduce((sum, line) => sum + line[name], 0);
    expect({
      created: count('ExecutesCreated'),
      succeeded: count('ExecutesSucceeded'),
      failed: count('ExecutesFailed'),
      cancelled: count('ExecutesCancelled'),
    }).toEqual({ created: 6, succeeded: 3, failed: 3, cancelled: 1 });
    const allRecords = [...records.a, ...records.b];
    expect(count('RunTime')).toBe(sums(allRecords).gpu_ms);
    expect(count('QueueTime')).toBe(sums(allRecords).queue_ms);
    expect(count('OutputBytes')).toBe(sums(allRecords).output_bytes);
    expect(emf.lines.every((line) => line._aws.CloudWatchMetrics[0].Namespace === 'ComfyExec')).toBe(true);
  });

  it('shows a key only its own; the operator key reads another key’s, and every key’s', async () => {
    const own = await api(stack, 'GET', 'usage', { key: KEY_B });
    expect(own.body.data.totals).toMatchObject(sums(records.b));
    const refused = await api(stack, 'GET', `usage?key=${apiKeyId(KEY_A)}`, { key: KEY_B });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/only its own usage/);
    expect((await api(stack, 'GET', 'usage?key=*', { key: KEY_B })).status).toBe(403);

    const ofB = await api(stack, 'GET', `usage?key=${apiKeyId(KEY_B)}`);
    expect(ofB.body.data.totals).toMatchObject(sums(records.b));
    const every = await api(stack, 'GET', 'usage?key=*');
    expect(every.status).toBe(200);
    expect(every.body.data.rows.map((row: { key: string }) => row.key).sort()).toEqual(
      [apiKeyId(KEY_A), apiKeyId(KEY_B)].sort(),
    );
    expect(every.body.data.totals).toMatchObject(sums([...records.a, ...records.b]));
  });

  it('refuses bad queries with a 400 naming the problem', async () => {
    for (const [query, problem] of [
      ['from=2026-13-01', /from must be a date/],
      ['from=yesterday', /is not a date YYYY-MM-DD/],
      ['from=2026-12-07&to=2026-12-01', /is after to/],
      ['from=2020-01-01&to=2026-01-01', /at most 366/],
      ['colour=blue', /colour/],
      [`key=${KEY_B}`, /key takes an API key's id, not the key itself/],
    ] as const) {
      const answer = await api(stack, 'GET', `usage?${query}`);
      expect(answer.status, query).toBe(400);
      expect(JSON.stringify(answer.body), query).toMatch(problem);
      // A key's value sent by mistake is never echoed.
      expect(JSON.stringify(answer.body)).not.toContain(KEY_B);
    }
  });

  it('counts the whole run of an execute deleted while it ran: its notification adds what came after the delete', async () => {
    const before = (await api(stack, 'GET', 'usage', { key: KEY_B })).body.data.totals;
    const run = await create(KEY_B, { prompt: tinyTxt2imgPrompt(12, 200) });
    let record: Record<string, any> = {};
    for (;;) {
      record = (await api(stack, 'GET', `executes/${run.id}`, { key: KEY_B })).body.data;
      if (record.status === 'running' && record.start_time) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(
      (await api(stack, 'DELETE', 'executes', { key: KEY_B, body: { execute_id_list: [run.id] } })).status,
    ).toBe(204);
    // The delete counted the run so far; the instance ran on until the container saw it.
    const marker = async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: process.env.TABLE_NAME,
            Key: { prompt_id: `#deleted-run#${record.prompt_path}` },
            ConsistentRead: true,
          }),
        )
      ).Item;
    await expect.poll(async () => (await marker())?.settled, { timeout: 30_000 }).toBe(true);
    // What the container measured, from the object SageMaker stored its answer in.
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(record.sagemaker_raw.OutputLocation)!;
    const s3 = new S3Client({
      region: process.env.AWS_REGION,
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
    });
    const answer = JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(),
    );
    s3.destroy();
    const after = (await api(stack, 'GET', 'usage', { key: KEY_B })).body.data.totals;
    expect(after.executes - before.executes).toBe(1);
    expect(after.cancelled - before.cancelled).toBe(1);
    expect(after.gpu_ms - before.gpu_ms).toBe(Math.round(answer.timings.total_ms));
    expect((await marker())!.counted_gpu_ms).toBeLessThan(Math.round(answer.timings.total_ms));
  });

  it('answers 429 with when the day resets once a key’s GPU seconds are used, and queues nothing', async () => {
    // One execute long enough to pass the 1 s cap (the container's total_ms counts).
    const first = await create(KEY_C, { prompt: tinyTxt2imgPrompt(8, 150) });
    expect(first.status).toBe(201);
    const { record } = await pollUntilFinal(stack, first.id, KEY_C);
    expect(record.timings.total_ms).toBeGreaterThan(CAP_SECONDS * 1000);
    await expect.poll(() => counted(first.id), { timeout: 30_000 }).toBe(true);

    const response = await fetch(`${stack.apiUrl}executes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY_C },
      body: JSON.stringify({ prompt: tinyTxt2imgPrompt(9, 2) }),
    });
    expect(response.status).toBe(429);
    const body = (await response.json()) as { message: string; data: { resets_at: string } };
    expect(body.message).toMatch(/GPU seconds today/);
    const resetsAt = Date.parse(body.data.resets_at);
    expect(new Date(resetsAt).toISOString().slice(11)).toBe('00:00:00.000Z');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing queued: the key still has its one execute, and nothing unfinished.
    const listed = await api(stack, 'GET', 'executes?limit=100', { key: KEY_C });
    expect(listed.body.data.executes.map((e: { prompt_id: string }) => e.prompt_id)).toEqual([first.id]);
    // ComfyUI's own route refuses it the same way.
    const comfy = await fetch(`${stack.apiUrl}comfyui/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY_C },
      body: JSON.stringify({ prompt: tinyTxt2imgPrompt(10, 2) }),
    });
    expect(comfy.status).toBe(429);
    expect(comfy.headers.get('retry-after')).not.toBeNull();
    // Other keys are not capped.
    const other = await create(KEY_B, { prompt: tinyTxt2imgPrompt(11, 2) });
    expect(other.status).toBe(201);
    await pollUntilFinal(stack, other.id, KEY_B);
  });
});
