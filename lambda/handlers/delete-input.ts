import { deleteInputDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { deleteInput } from '../use-cases/delete-input';

/** DELETE /inputs/{name} — DeleteInput: 204, or 404 for a name the caller has no input of. */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const name = pathParameter('name');
  await deleteInput(name, owner, deleteInputDeps());
  logger.info('input deleted', { name });
  return { statusCode: 204, message: 'input deleted' };
});
