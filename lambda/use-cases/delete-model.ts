import { ModelNotFoundError } from '../domain/errors';
import type { ModelImportStore } from '../domain/models/model-import';
import { checkName, type ModelLibraryDeps, requireWriter } from './model-writers';

/**
 * DeleteModel: removes a model from the library (endpoints that cached it keep their copy until
 * evicted), and its import: one still running is stopped (its staged upload aborted, so no parts
 * are left to bill) and its record removed.
 */
export async function deleteModel(
  folder: string,
  name: string,
  owner: string,
  deps: ModelLibraryDeps & { imports: ModelImportStore },
) {
  requireWriter(owner, deps.config.writers);
  checkName(folder, name);
  const state = await deps.imports.read(folder, name);
  // The record first: its jobs then find nothing to go on with, and no reader sees it half-ended.
  if (state) await deps.imports.remove(folder, name);
  if (state?.status === 'importing' || state?.status === 'verifying') {
    await deps.imports.abort(state);
    await deps.imports.removeStaged(state);
  }
  if (!(await deps.models.delete(folder, name)) && !state)
    throw new ModelNotFoundError(`no model ${folder}/${name} in the library`);
}
