import { parseJsonBody, parseWith } from '../http/parse-request';
import { DeleteExecutesBodySchema } from '../http/request-schemas';
import { deleteExecutesDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { deleteExecutes } from '../use-cases/delete-executes';

/** DELETE /executes — DeleteExecutes: 204 with ESD's envelope body. */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseWith(
    DeleteExecutesBodySchema(),
    parseJsonBody(event.body, event.isBase64Encoded),
    'body',
  );
  const deleted = await deleteExecutes(body.execute_id_list, owner, deleteExecutesDeps());
  logger.info('executes deleted', { requested: body.execute_id_list.length, deleted });
  return { statusCode: 204, message: 'execute deleted' };
});
