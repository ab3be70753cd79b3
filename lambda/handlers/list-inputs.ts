import { parseWith } from '../http/parse-request';
import { ListInputsQuerySchema } from '../http/request-schemas';
import { listInputsDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { listInputs } from '../use-cases/list-inputs';

/** GET /inputs — ListInputs. */
export const handler = httpHandler(async ({ owner, query }) => {
  const { limit, exclusive_start_key } = parseWith(ListInputsQuerySchema(), query, 'query');
  const data = await listInputs({ limit, cursor: exclusive_start_key }, owner, listInputsDeps());
  return { statusCode: 200, data };
});
