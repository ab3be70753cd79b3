import { parseWith } from '../http/parse-request';
import { ListExecutesQuerySchema } from '../http/request-schemas';
import { listExecutesDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { listExecutes } from '../use-cases/list-executes';

/** GET /executes — ListExecutes. */
export const handler = httpHandler(async ({ owner, query }) => {
  const { limit, exclusive_start_key, status, template } = parseWith(
    ListExecutesQuerySchema(),
    query,
    'query',
  );
  const data = await listExecutes(
    { limit, cursor: exclusive_start_key, status, template },
    owner,
    listExecutesDeps(),
  );
  return { statusCode: 200, data };
});
