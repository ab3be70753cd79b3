import { parseWith } from '../http/parse-request';
import { ListModelsQuerySchema } from '../http/request-schemas';
import { listModelsDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { importsOf } from '../platform/model-imports-store';
import { getModel } from '../use-cases/get-model';
import { listModels } from '../use-cases/list-models';

/**
 * GET /models — ListModels, and GET /models/{folder}/{name} — GetModel (with its import's
 * progress): everyone may see what the library holds.
 */
export const handler = httpHandler(async ({ event, query, pathParameter }) => {
  if (event.pathParameters?.folder !== undefined) {
    const deps = { ...listModelsDeps(), imports: importsOf('list-models') };
    return { statusCode: 200, data: await getModel(pathParameter('folder'), pathParameter('name'), deps) };
  }
  const { limit, exclusive_start_key, folder } = parseWith(ListModelsQuerySchema(), query, 'query');
  const data = await listModels({ limit, cursor: exclusive_start_key, folder }, listModelsDeps());
  return { statusCode: 200, data };
});
