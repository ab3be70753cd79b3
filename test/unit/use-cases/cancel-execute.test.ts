import { describe, expect, it } from 'vitest';
import { ExecuteNotFoundError } from '../../../lambda/domain/errors';
import { cancelExecute } from '../../../lambda/use-cases/cancel-execute';
import { fakesWithExecutes } from '../../fakes/seeded-records';

describe('cancelExecute', () => {
  it('cancels a created execute at once', async () => {
    const { store, clock, records } = await fakesWithExecutes([{ owner: 'a' }]);
    const record = await cancelExecute(records[0]!.prompt_id, 'a', { store, clock });
    expect(record).toMatchObject({
      status: 'cancelled',
      cancel_requested: true,
      complete_time: clock.now().toISOString(),
    });
  });

  it('asks the container to stop a running execute', async () => {
    const { store, clock, records } = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const record = await cancelExecute(records[0]!.prompt_id, 'a', { store, clock });
    expect(record).toMatchObject({ status: 'running', cancel_requested: true });
  });

  it('is idempotent and leaves finished executes unchanged', async () => {
    const { store, clock, records } = await fakesWithExecutes([
      { owner: 'a', status: 'success' },
      { owner: 'a' },
    ]);
    expect(await cancelExecute(records[0]!.prompt_id, 'a', { store, clock })).toEqual(records[0]);
    const first = await cancelExecute(records[1]!.prompt_id, 'a', { store, clock });
    const writes = store.writes.length;
    expect(await cancelExecute(records[1]!.prompt_id, 'a', { store, clock })).toEqual(first);
    expect(store.writes.length).toBe(writes);
  });

  it('re-reads when the container moved the record in between', async () => {
    const { store, clock, records } = await fakesWithExecutes([{ owner: 'a' }]);
    const id = records[0]!.prompt_id;
    let moved = false;
    store.beforeWrite = () => {
      if (moved) return;
      moved = true;
      store.records.set(id, { ...store.records.get(id)!, status: 'running', start_time: 'now' });
    };
    expect(await cancelExecute(id, 'a', { store, clock })).toMatchObject({
      status: 'running',
      cancel_requested: true,
    });
  });

  it("treats another key's execute, or an unknown id, as not found", async () => {
    const { store, clock, records } = await fakesWithExecutes([{ owner: 'a' }]);
    await expect(cancelExecute(records[0]!.prompt_id, 'b', { store, clock })).rejects.toThrow(
      ExecuteNotFoundError,
    );
    await expect(cancelExecute('not-an-id', 'a', { store, clock })).rejects.toThrow(ExecuteNotFoundError);
    expect(store.records.get(records[0]!.prompt_id)!.status).toBe('created');
  });
});
