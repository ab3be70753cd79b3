import type { ExecuteRecord } from '../../lambda/domain/execute-record';
import { createExecute } from '../../lambda/use-cases/create-execute';
import { createInput } from '../fixtures/prompts';
import { fakeCreateDeps } from './use-case-deps';

/** Fakes holding executes made through createExecute itself, then moved to the wanted status. */
export async function fakesWithExecutes(
  specs: { owner: string; status?: ExecuteRecord['status']; extra?: Partial<ExecuteRecord> }[],
) {
  const fakes = fakeCreateDeps();
  const records: ExecuteRecord[] = [];
  for (const spec of specs) {
    fakes.clock.advance(1000);
    const { record } = await createExecute(createInput(), spec.owner, fakes.deps);
    const moved = { ...record, status: spec.status ?? 'created', ...spec.extra } as ExecuteRecord;
    fakes.store.records.set(record.prompt_id, moved);
    records.push(moved);
  }
  return { ...fakes, records };
}
