import { RequestValidationError } from '../domain/errors';
import { isModelFolder, MODEL_FOLDERS } from '../domain/models/model-folders';
import { keyProblem } from '../domain/object-key';
import type { ModelLibrary } from '../domain/ports';

/** ListModels: the library's models (one folder's, or all), sorted by folder and name. */
export async function listModels(
  query: { folder?: string; limit: number; cursor?: string },
  deps: { models: ModelLibrary },
) {
  if (query.folder !== undefined && !isModelFolder(query.folder))
    throw new RequestValidationError(
      `folder '${query.folder}' is not a ComfyUI model folder; one of ${Object.keys(MODEL_FOLDERS).join(', ')}`,
    );
  // The cursor (`folder/name` from the previous page) becomes a key S3 starts the listing after.
  const problem = query.cursor === undefined ? undefined : keyProblem(query.cursor);
  if (problem) throw new RequestValidationError(`exclusive_start_key '${query.cursor}' ${problem}`);
  const page = await deps.models.list(query);
  return { models: page.models, last_evaluated_key: page.cursor };
}
