import { ModelNotFoundError } from '../domain/errors';
import type { ModelImportStore } from '../domain/models/model-import';
import { checkName, type ModelLibraryDeps, requireWriter } from './model-writers';

/**
 * DeleteModel. While an import of the name runs, it stops the import only (its staged upload
 * aborted, so no parts are left to bill, and its record removed): a model already in the library
 * is kept, so cancelling an import with `overwrite` loses nothing; DELETE again to remove it.
 * Otherwise it removes the model (endpoints that cached it keep their copy until evicted) and the
 * record of its import.
 */
export async function deleteModel(
  folder: string,
  name: string,
  owner: string,
  deps: ModelLibraryDeps & { imports: ModelImportStore },
): Promise<'import stopped' | 'model deleted'> {
  requireWriter(owner, deps.config.writers);
  checkName(folder, name);
  const state = await deps.imports.read(folder, name);
  // The record first: its jobs then find nothing to go on with, and no reader sees it half-ended.
  if (state) await deps.imports.remove(folder, name);
  // Running as read (not as S3 says a moment later, when a finish may have moved it on): stopping a
  // finished or abandoned import this way is harmless, and the model is never lost by a race.
  if (state?.status === 'importing' || state?.status === 'verifying') {
    await deps.imports.abort(state);
    await deps.imports.removeStaged(state);
    return 'import stopped';
  }
  if (!(await deps.models.delete(folder, name)) && !state)
    throw new ModelNotFoundError(`no model ${folder}/${name} in the library`);
  return 'model deleted';
}
