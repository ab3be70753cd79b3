import { getExecuteLogsDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { getExecuteLogs } from '../use-cases/get-execute-logs';

/** GET /executes/{prompt_id}/logs — GetExecuteLogs. `data` stays even when there are no lines. */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const { results, complete } = await getExecuteLogs(pathParameter('prompt_id'), owner, getExecuteLogsDeps());
  return {
    statusCode: 200,
    data: { results },
    message: complete ? 'OK' : 'partial results: the log query did not finish in time; ask again',
  };
});
