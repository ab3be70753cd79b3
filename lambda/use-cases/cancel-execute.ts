import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type { Clock, ExecuteStore } from '../domain/ports';
import { withUsage } from '../domain/usage';
import { findOwnedExecute } from './get-execute';

export interface CancelExecuteDeps {
  store: ExecuteStore;
  clock: Clock;
}

const MAX_ATTEMPTS = 5;

/**
 * CancelExecute, idempotent. `created` becomes `cancelled` at once (the container skips it when
 * SageMaker delivers it); `running` gets `cancel_requested` (the container interrupts ComfyUI and
 * finishes as cancelled); a finished record is returned unchanged. Each step is one conditional
 * write, re-read and retried when the container moved the record in between.
 */
export async function cancelExecute(
  promptId: string,
  owner: string,
  deps: CancelExecuteDeps,
): Promise<ExecuteRecord> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const record = await findOwnedExecute(deps.store, promptId, owner);
    if (isTerminal(record.status) || (record.status === 'running' && record.cancel_requested)) return record;
    const updated =
      record.status === 'created'
        ? await deps.store.update(
            record,
            withUsage(record, {
              from: ['created'] as const,
              set: {
                status: 'cancelled' as const,
                cancel_requested: true,
                complete_time: deps.clock.now().toISOString(),
                message: 'cancelled by the client before it started',
              },
            }),
          )
        : await deps.store.update(record, { from: ['running'], set: { cancel_requested: true } });
    if (updated) return updated;
  }
  throw new Error(`execute ${promptId} kept changing while being cancelled; retry`);
}
