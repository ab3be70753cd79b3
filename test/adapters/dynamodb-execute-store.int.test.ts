import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbExecuteStore } from '../../lambda/adapters/dynamodb-execute-store';
import { DynamoDbUsageStore } from '../../lambda/adapters/dynamodb-usage-store';
import { RequestValidationError, TooManyRequestsError } from '../../lambda/domain/errors';
import { type ExecuteRecord, newExecuteRecord } from '../../lambda/domain/execute-record';
import { withUsage } from '../../lambda/domain/usage';
import { createInput, txt2imgPrompt } from '../fixtures/prompts';
import { freshTableAndBucket, localClients } from '../support/local-aws';

const clients = localClients();
let store: DynamoDbExecuteStore;
let usage: DynamoDbUsageStore;
let tables: { tableName: string; usageTableName: string };
let drop: () => Promise<void>;

function record(owner: string, n: number, overrides: Partial<ExecuteRecord> = {}): ExecuteRecord {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const base = newExecuteRecord(
    {
      ...createInput(),
      webhook: undefined,
      prompt: txt2imgPrompt(n) as never,
      prompt_id: id,
      endpoint_name: 'comfy-async-x',
    },
    {
      owner,
      now: new Date(Date.UTC(2026, 10, 22, 10, 0, n)),
      promptPath: `s3://b/executes/${id}/request.json`,
      requestHash: `hash-${n}`,
      retentionDays: 30,
      answerWithinSeconds: 600,
      promptLocation: 'inline',
      workflowPath: null,
    },
  );
  return { ...base, ...overrides };
}

beforeAll(async () => {
  const fresh = await freshTableAndBucket(clients);
  store = new DynamoDbExecuteStore(clients.documents, fresh.tableName, fresh.usageTableName);
  usage = new DynamoDbUsageStore(clients.documents, fresh.usageTableName);
  tables = fresh;
  drop = fresh.drop;
});
afterAll(() => drop());

describe('DynamoDbExecuteStore on DynamoDB Local', () => {
  it('round-trips a record with numbers as numbers and the prompt as a real graph', async () => {
    const original = record('owner-a', 1, { extra_data: undefined } as never);
    expect(await store.createIfAbsent(original)).toBe(true);
    const read = await store.get(original.prompt_id);
    expect(read).toEqual(original);
    expect((read!.prompt_params.prompt!['3']!.inputs as Record<string, unknown>).seed).toBe(1);
    expect(read).not.toHaveProperty('owner_status');
  });

  it('refuses a second record with the same prompt_id (no silent overwrite)', async () => {
    const again = record('owner-b', 1);
    expect(await store.createIfAbsent(again)).toBe(false);
    expect((await store.get(again.prompt_id))!.owner).toBe('owner-a');
  });

  it('updates only under its conditions (owner and allowed statuses)', async () => {
    const target = record('owner-a', 2);
    await store.createIfAbsent(target);
    expect(
      await store.update({ prompt_id: target.prompt_id, owner: 'owner-b' }, { set: { message: 'x' } }),
    ).toBeUndefined();
    expect(await store.update(target, { from: ['running'], set: { status: 'success' } })).toBeUndefined();
    const running = await store.update(target, {
      from: ['created'],
      set: { status: 'running', start_time: '2026-11-22T10:00:05.000Z' },
      mergeSagemakerRaw: { InferenceId: target.prompt_id },
    });
    expect(running).toMatchObject({ status: 'running', sagemaker_raw: { InferenceId: target.prompt_id } });
    const done = await store.update(target, {
      from: ['created', 'running'],
      set: { status: 'success', progress: { value: 20, max: 20, node: '3', percent: 100 } },
      mergeSagemakerRaw: { invocationStatus: 'Completed' },
    });
    expect(done!.sagemaker_raw).toEqual({ InferenceId: target.prompt_id, invocationStatus: 'Completed' });
    expect(done!.progress).toEqual({ value: 20, max: 20, node: '3', percent: 100 });
    expect(
      await store.update(target, { from: ['created', 'running'], set: { status: 'failed' } }),
    ).toBeUndefined();
    expect(
      await store.update(
        { prompt_id: '00000000-0000-4000-8000-000000009999', owner: 'owner-a' },
        { set: { message: 'x' } },
      ),
    ).toBeUndefined();
  });

  it('parks a failure notice only while the invocation is unrecorded, and returns it to the recording write', async () => {
    const early = record('owner-a', 3);
    await store.createIfAbsent(early);
    const park = (target: ExecuteRecord) =>
      store.update(target, {
        from: ['created', 'running'],
        set: {},
        mergeSagemakerRaw: { invocationStatus: 'Failed', failureReason: 'ClientError: 500' },
        whileSagemakerRawLacks: 'InferenceId',
      });
    expect(await park(early)).toMatchObject({
      status: 'created',
      sagemaker_raw: { invocationStatus: 'Failed' },
    });
    const recorded = await store.update(early, {
      set: { inference_id: early.prompt_id },
      mergeSagemakerRaw: { InferenceId: early.prompt_id, FailureLocation: 's3://b/failures/x-error.out' },
    });
    expect(recorded!.sagemaker_raw).toEqual({
      invocationStatus: 'Failed',
      failureReason: 'ClientError: 500',
      InferenceId: early.prompt_id,
      FailureLocation: 's3://b/failures/x-error.out',
    });
    const late = record('owner-a', 4);
    await store.createIfAbsent(late);
    await store.update(late, { set: {}, mergeSagemakerRaw: { InferenceId: late.prompt_id } });
    expect(await park(late)).toBeUndefined();
    expect((await store.get(late.prompt_id))!.sagemaker_raw).toEqual({ InferenceId: late.prompt_id });
  });

  it('lists one owner newest first, page by page, with and without a status filter', async () => {
    const owner = 'owner-list';
    for (let n = 100; n < 125; n++)
      await store.createIfAbsent(record(owner, n, n % 5 === 0 ? { status: 'failed' } : {}));
    await store.createIfAbsent(record('owner-other', 200));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listByOwner({ owner, limit: 10, cursor });
      seen.push(...page.records.map((r) => r.prompt_id));
      expect(page.records.every((r) => r.owner === owner)).toBe(true);
      cursor = page.cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(pages).toBeLessThanOrEqual(4);
    expect([...seen]).toEqual([...seen].sort().reverse());
    const failed = await store.listByOwner({ owner, limit: 100, status: 'failed' });
    expect(failed.records.map((r) => r.prompt_id)).toHaveLength(5);
    expect(failed.records.every((r) => r.status === 'failed')).toBe(true);
    expect(Object.keys(failed.records[0]!)).not.toContain('prompt_params');
  });

  it('moves a record between status listings when its status changes', async () => {
    const target = record('owner-move', 300);
    await store.createIfAbsent(target);
    await store.update(target, { from: ['created'], set: { status: 'cancelled' } });
    expect(
      (await store.listByOwner({ owner: 'owner-move', limit: 10, status: 'created' })).records,
    ).toHaveLength(0);
    expect(
      (await store.listByOwner({ owner: 'owner-move', limit: 10, status: 'cancelled' })).records,
    ).toHaveLength(1);
  });

  it('reserves places under the cap atomically: racing creates never pass it, finishing or deleting frees one', async () => {
    const owner = 'owner-cap';
    const attempts = Array.from({ length: 30 }, (_, i) => record(owner, 700 + i));
    const outcomes = await Promise.allSettled(attempts.map((each) => store.createIfAbsent(each, 10)));
    const created = attempts.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    expect(created).toHaveLength(10);
    for (const outcome of outcomes.filter((each) => each.status === 'rejected'))
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(TooManyRequestsError);
    // The refused ones wrote nothing.
    expect((await store.listByOwner({ owner, limit: 100 })).records).toHaveLength(10);
    const extra = record(owner, 740);
    await expect(store.createIfAbsent(extra, 10)).rejects.toThrow(TooManyRequestsError);
    // Finishing one frees a place, once: a second (refused) finish frees nothing.
    const done = { from: ['created', 'running'] as const, set: { status: 'success' as const } };
    expect(await store.update(created[0]!, { from: [...done.from], set: done.set })).toMatchObject({
      status: 'success',
    });
    expect(await store.update(created[0]!, { from: [...done.from], set: done.set })).toBeUndefined();
    expect(await store.createIfAbsent(extra, 10)).toBe(true);
    await expect(store.createIfAbsent(record(owner, 741), 10)).rejects.toThrow(TooManyRequestsError);
    // Deleting an unfinished one frees a place; deleting a finished one does not.
    expect(await store.deleteOwned(created[0]!.prompt_id, owner)).toBe(true);
    await expect(store.createIfAbsent(record(owner, 741), 10)).rejects.toThrow(TooManyRequestsError);
    expect(await store.deleteOwned(created[1]!.prompt_id, 'someone-else')).toBe(false);
    expect(await store.deleteOwned(created[1]!.prompt_id, owner)).toBe(true);
    expect(await store.createIfAbsent(record(owner, 741), 10)).toBe(true);
    // The same prompt_id again is a plain conflict, not a cap refusal.
    expect(await store.createIfAbsent(record(owner, 741), 10)).toBe(false);
  });

  it("rejects a garbled cursor or one from another owner's listing", async () => {
    const page = await store.listByOwner({ owner: 'owner-list', limit: 1 });
    await expect(store.listByOwner({ owner: 'owner-other', limit: 1, cursor: page.cursor! })).rejects.toThrow(
      RequestValidationError,
    );
    await expect(
      store.listByOwner({ owner: 'owner-list', limit: 1, cursor: 'not-a-cursor' }),
    ).rejects.toThrow(RequestValidationError);
    await expect(
      store.listByOwner({ owner: 'owner-list', limit: 1, status: 'failed', cursor: page.cursor! }),
    ).rejects.toThrow(RequestValidationError);
  });

  it('keeps only executes not yet final in the pending index, nearest deadline first', async () => {
    const late = record('owner-pending', 500);
    const early = record('owner-pending', 501, { deadline_at: late.deadline_at - 1000 });
    await store.createIfAbsent(late);
    await store.createIfAbsent(early);
    await store.createIfAbsent(record('owner-pending', 502, { status: 'success' }));
    const pending = await store.listPendingIds(1000);
    expect(pending.indexOf(early.prompt_id)).toBeLessThan(pending.indexOf(late.prompt_id));
    expect(pending).not.toContain(record('owner-pending', 502).prompt_id);
    await store.update(late, { from: ['created'], set: { status: 'running' } });
    expect(await store.listPendingIds(1000)).toContain(late.prompt_id);
    // Final with its usage in the same write: out of the index.
    const now = '2026-12-07T12:00:00.000Z';
    await store.update(
      late,
      withUsage(late, { from: ['running'], set: { status: 'failed', complete_time: now } }),
    );
    expect(await store.listPendingIds(1000)).not.toContain(late.prompt_id);
    expect(await store.get(late.prompt_id)).not.toHaveProperty('pending');
    expect(await store.get(late.prompt_id)).toHaveProperty('usage_counted', true);
    // Final without it (the container's write): it stays listed until its usage is counted, once.
    await store.update(early, { from: ['created'], set: { status: 'success', complete_time: now } });
    expect(await store.listPendingIds(1000)).toContain(early.prompt_id);
    const finished = (await store.get(early.prompt_id))!;
    expect(await store.countUsage(finished)).toBe(true);
    expect(await store.countUsage(finished)).toBe(false);
    expect(await store.listPendingIds(1000)).not.toContain(early.prompt_id);
    const rows = await usage.ofOwner('owner-pending', '2026-12-07', '2026-12-07');
    expect(rows).toEqual([
      expect.objectContaining({
        endpoint_name: 'comfy-async-x',
        executes: 2,
        succeeded: 1,
        failed: 1,
        cancelled: 0,
      }),
    ]);
  });

  it('never counts an execute twice when its notification counts it between a delete’s read and its write', async () => {
    const done = record('owner-race', 700);
    await store.createIfAbsent(done);
    const now = new Date().toISOString();
    // The container's completion: final, not counted.
    await store.update(done, { from: ['created'], set: { status: 'success', complete_time: now } });
    let raced = false;
    // A delete whose first read is followed by the notification's count, before the delete writes.
    const racing = new (class extends DynamoDbExecuteStore {
      override async get(promptId: string) {
        const read = await super.get(promptId);
        if (!raced && read) {
          raced = true;
          expect(await store.countUsage(read)).toBe(true);
        }
        return read;
      }
    })(clients.documents, tables.tableName, tables.usageTableName);
    expect(await racing.deleteOwned(done.prompt_id, 'owner-race')).toBe(true);
    const day = now.slice(0, 10);
    expect(await usage.ofOwner('owner-race', day, day)).toEqual([
      expect.objectContaining({ executes: 1, succeeded: 1 }),
    ]);
  });

  it('adds an unfinished execute it deletes to its owner’s usage as cancelled, and a counted one never twice', async () => {
    const running = record('owner-usage-del', 600, {
      status: 'running',
      start_time: new Date().toISOString(),
    });
    const done = record('owner-usage-del', 601);
    await store.createIfAbsent(running);
    await store.createIfAbsent(done);
    const day = new Date().toISOString().slice(0, 10);
    await store.update(
      done,
      withUsage(done, {
        from: ['created'],
        set: { status: 'success', complete_time: new Date().toISOString() },
      }),
    );
    expect(await store.deleteOwned(running.prompt_id, 'owner-usage-del')).toBe(true);
    expect(await store.deleteOwned(done.prompt_id, 'owner-usage-del')).toBe(true);
    const rows = await usage.ofOwner('owner-usage-del', day, day);
    expect(rows).toEqual([expect.objectContaining({ executes: 2, succeeded: 1, cancelled: 1 })]);
  });

  it("deletes only the owner's record", async () => {
    const target = record('owner-del', 400);
    await store.createIfAbsent(target);
    expect(await store.deleteOwned(target.prompt_id, 'owner-x')).toBe(false);
    expect(await store.deleteOwned(target.prompt_id, 'owner-del')).toBe(true);
    expect(await store.get(target.prompt_id)).toBeUndefined();
    expect(await store.deleteOwned(target.prompt_id, 'owner-del')).toBe(false);
  });
});
