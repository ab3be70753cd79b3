import { ModelNotFoundError } from '../domain/errors';
import { importView, type ModelImportStore } from '../domain/models/model-import';
import type { ModelLibrary } from '../domain/ports';
import { checkName } from './model-writers';

/**
 * GetModel: a model of the library and its import from a URL, when it had one (in progress: the
 * parts uploaded so far; failed: why). Everyone may read it, as everyone may list the library.
 */
export async function getModel(
  folder: string,
  name: string,
  deps: { models: ModelLibrary; imports: ModelImportStore },
) {
  checkName(folder, name);
  const [model, state] = await Promise.all([deps.models.find(folder, name), deps.imports.read(folder, name)]);
  if (!model && !state) throw new ModelNotFoundError(`no model ${folder}/${name} in the library`);
  const running = state && (state.status === 'importing' || state.status === 'verifying');
  const parts = running ? await deps.imports.listParts(state) : undefined;
  return {
    folder,
    name,
    model: model ?? null,
    import: state ? importView(state, parts) : null,
  };
}
