import type { ExecuteStore, PayloadStore } from '../domain/ports';

export interface DeleteExecutesDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
}

const PARALLEL_DELETES = 8;

/**
 * DeleteExecutes: removes the caller's executes among the ids, objects first (request, outputs)
 * so that a failure half-way leaves a record to retry the delete with, never orphaned objects.
 * Ids the caller does not own, or that do not exist, are left alone. Returns the ids deleted.
 */
export async function deleteExecutes(ids: readonly string[], owner: string, deps: DeleteExecutesDeps) {
  const unique = [...new Set(ids)];
  const deleted: string[] = [];
  for (let start = 0; start < unique.length; start += PARALLEL_DELETES) {
    await Promise.all(
      unique.slice(start, start + PARALLEL_DELETES).map(async (promptId) => {
        const record = await deps.store.get(promptId);
        if (!record || record.owner !== owner) return;
        await deps.payloads.deleteExecuteObjects(promptId);
        if (await deps.store.deleteOwned(promptId, owner)) deleted.push(promptId);
      }),
    );
  }
  return deleted;
}
