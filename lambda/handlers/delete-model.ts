import { deleteModelDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { deleteModel } from '../use-cases/delete-model';

/** DELETE /models/{folder}/{name} — DeleteModel: 204, 404 when the library has no such model. */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const folder = pathParameter('folder');
  const name = pathParameter('name');
  await deleteModel(folder, name, owner, deleteModelDeps());
  logger.info('model deleted', { folder, name });
  return { statusCode: 204, message: 'model deleted' };
});
