import { ModelNotFoundError } from '../domain/errors';
import { checkName, type ModelLibraryDeps, requireWriter } from './model-writers';

/** DeleteModel: removes a model from the library (endpoints that cached it keep their copy until evicted). */
export async function deleteModel(folder: string, name: string, owner: string, deps: ModelLibraryDeps) {
  requireWriter(owner, deps.config.writers);
  checkName(folder, name);
  if (!(await deps.models.delete(folder, name)))
    throw new ModelNotFoundError(`no model ${folder}/${name} in the library`);
}
