import { parseWith } from '../http/parse-request';
import { ListModelsQuerySchema } from '../http/request-schemas';
import { listModelsDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { listModels } from '../use-cases/list-models';

/** GET /models — ListModels: everyone may see what the library holds. */
export const handler = httpHandler(async ({ query }) => {
  const { limit, exclusive_start_key, folder } = parseWith(ListModelsQuerySchema, query, 'query');
  const data = await listModels({ limit, cursor: exclusive_start_key, folder }, listModelsDeps());
  return { statusCode: 200, data };
});
