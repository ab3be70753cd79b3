import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from '../../local/local-credentials';
import { apiKeyId, type LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { pngChunks } from '../support/media-containers';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

/**
 * Issue 30: the container writes the final record as it answers; SageMaker's notification and
 * OnAsyncResult stay as the backstop. Each order of the two writers, through `npm start`'s
 * composition: exactly one wins, the other changes nothing, and the record reads the same.
 */
let stack: LocalStack;
let documents: DynamoDBDocumentClient;
beforeAll(async () => {
  // No Sweeper during these runs: only the container and the notification may settle them.
  stack = await startE2eStack({ sweepIntervalMs: 3_600_000 });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: process.env.AWS_REGION, credentials: TEST_CREDENTIALS }),
  );
}, 120_000);
afterAll(() => stack?.stop());

const readItem = async (key: string) =>
  (
    await documents.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: { prompt_id: key }, ConsistentRead: true }),
    )
  ).Item;

/**
 * The item apart from its usage mark: the container's write carries no usage, and the
 * notification (or the Sweeper) then counts it, which sets usage_counted and leaves the pending
 * index. Nothing else may change.
 */
const beyondUsage = (item: Record<string, unknown> | undefined) => {
  const { usage_counted: _counted, pending: _pending, ...rest } = item ?? {};
  return rest;
};

async function run(fault?: string) {
  const created = await api(stack, 'POST', 'executes', {
    body: { prompt: tinyTxt2imgPrompt(7, 2), ...(fault ? { extra_data: { simulate: { fault } } } : {}) },
  });
  expect(created.status).toBe(201);
  const id = created.body.data.prompt_id as string;
  const { record } = await pollUntilFinal(stack, id);
  // As stored, when first seen final (GetExecute's links are signed anew on every read).
  return { id, record, stored: await readItem(id) };
}

/** The container's own lines about its completion write (GetExecuteLogs, as a user reads them). */
async function completionLines(id: string): Promise<string[]> {
  const logs = await api(stack, 'GET', `executes/${id}/logs`);
  return (logs.body.data.results as { message: string }[])
    .map((line) => JSON.parse(line.message).message as string)
    .filter((message) => /record|completion/.test(message));
}

/** The endpoint works one invocation at a time and notifies before taking the next: once a later
 * execute runs, every notification of the earlier ones has been handled. */
async function afterEveryNotificationOf() {
  const { record } = await run();
  expect(record.status).toBe('success');
}

/** What a client reads of a finished execute, apart from what differs per execute. */
const shape = (record: Record<string, any>) => ({
  status: record.status,
  message: record.message,
  output_files: record.output_files.length,
  output_keys: Object.keys(record.outputs),
  timings: Object.keys(record.timings).sort(),
  error: record.error ?? null,
});

describe('the container completes the record; the notification is the backstop', () => {
  it('notification second (the usual order): the container’s write stands, the notification changes nothing', async () => {
    const { id, record, stored } = await run();
    await afterEveryNotificationOf();
    const after = await readItem(id);
    expect(beyondUsage(after)).toEqual(beyondUsage(stored));
    // Counted once, by the notification (the container may not write usage).
    expect(after?.usage_counted).toBe(true);
    expect(record.status).toBe('success');
    // Only OnAsyncResult writes SageMaker's invocationStatus: absent, so the container's write won.
    expect(record.sagemaker_raw.invocationStatus).toBeUndefined();
    await expect
      .poll(() => completionLines(id), { timeout: 30_000 })
      .toContain('record completed by the container');
  });

  it('notification first: the notification completes it, the container’s later write changes nothing', async () => {
    const { id, record, stored } = await run('completion_write_late');
    expect(record.status).toBe('success');
    expect(record.sagemaker_raw.invocationStatus).toBe('Completed');
    await expect
      .poll(() => completionLines(id), { timeout: 30_000 })
      .toContain("record already settled elsewhere; the container's completion changed nothing");
    expect(beyondUsage(await readItem(id))).toEqual(beyondUsage(stored));
    // Whichever writer wins, a client reads the same record.
    const { record: byContainer } = await run();
    expect(shape(record)).toEqual(shape(byContainer));
    expect(shape(record).output_files).toBe(1);
  });

  it('notification twice: neither copy changes what the container wrote', async () => {
    const { id, record, stored } = await run('duplicate_notification');
    await afterEveryNotificationOf();
    expect(beyondUsage(await readItem(id))).toEqual(beyondUsage(stored));
    expect(record.sagemaker_raw.invocationStatus).toBeUndefined();
    expect(record.status).toBe('success');
  });

  it('notification never: the container’s write alone completes the record (no Sweeper runs here)', async () => {
    const { id, record } = await run('drop_notification');
    expect(record).toMatchObject({ status: 'success', message: '' });
    expect(record.output_files).toHaveLength(1);
    expect(record.sagemaker_raw.invocationStatus).toBeUndefined();
    expect((await fetch(record.output_files[0])).status).toBe(200);
    await expect
      .poll(() => completionLines(id), { timeout: 30_000 })
      .toContain('record completed by the container');
  });

  it('the container’s write failing: the notification completes the record', async () => {
    const { id, record } = await run('completion_write_fails');
    expect(record).toMatchObject({ status: 'success', message: '' });
    expect(record.sagemaker_raw.invocationStatus).toBe('Completed');
    await expect
      .poll(() => completionLines(id), { timeout: 30_000 })
      .toContain('completion not written; the notification will complete the record');
  });

  it('frees each execute’s place under the key’s cap exactly once, whoever wrote', async () => {
    await afterEveryNotificationOf();
    // Every execute of this file is final: the count of the key's unfinished executes is back to 0
    // (a place freed twice would show -1, one never freed 1 or more).
    const counter = await readItem(`#unfinished#${apiKeyId(KEY_A)}`);
    expect(counter?.unfinished_count).toBe(0);
    const unfinished = await api(stack, 'GET', 'executes?status=running&limit=100');
    expect(unfinished.body.data.executes).toEqual([]);
  });
});

describe('a prompt_id deleted while queued and created again by another key', () => {
  it('runs the new execute’s own request: the earlier invocation neither claims it nor settles it', async () => {
    // Holds the endpoint (one invocation at a time) while the rest queue behind it.
    const holding = await api(stack, 'POST', 'executes', { body: { prompt: tinyTxt2imgPrompt(1, 150) } });
    expect(holding.status).toBe(201);
    const id = crypto.randomUUID();
    const first = await api(stack, 'POST', 'executes', {
      key: KEY_B,
      body: { prompt_id: id, prompt: tinyTxt2imgPrompt(2, 2) },
    });
    expect(first.status).toBe(201);
    expect(
      (await api(stack, 'DELETE', 'executes', { key: KEY_B, body: { execute_id_list: [id] } })).status,
    ).toBe(204);
    const prompt = tinyTxt2imgPrompt(3, 2);
    prompt['7'].inputs.text = 'the second owners own prompt';
    const second = await api(stack, 'POST', 'executes', { body: { prompt_id: id, prompt } });
    expect(second.status).toBe(201);
    // The first invocation is still queued ahead of the second one, and runs first.
    const { record } = await pollUntilFinal(stack, id);
    expect(record).toMatchObject({ status: 'success', message: '' });
    expect(record.prompt_params.prompt['7'].inputs.text).toBe('the second owners own prompt');
    // The image is what the second owner's request made: ComfyUI embeds the prompt it ran.
    const png = Buffer.from(await (await fetch(record.output_files[0])).arrayBuffer());
    const ran = pngChunks(png).find((chunk) => chunk.data.toString('latin1').startsWith('prompt\0'))!;
    expect(ran.data.toString('utf8')).toContain('the second owners own prompt');
    expect((await readItem(id))?.owner).toBe(apiKeyId(KEY_A));
    expect((await api(stack, 'GET', `executes/${id}`, { key: KEY_B })).status).toBe(404);
    await expect
      .poll(async () => (await readItem(`#unfinished#${apiKeyId(KEY_B)}`))?.unfinished_count, {
        timeout: 30_000,
      })
      .toBe(0);
  });
});
