import { deleteModelDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { importsOf } from '../platform/model-imports-store';
import { logger } from '../platform/powertools';
import { deleteModel } from '../use-cases/delete-model';

/**
 * DELETE /models/{folder}/{name} — DeleteModel: 204; an import in progress is stopped and the
 * library's model (if any) kept; 404 when there is neither.
 */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const folder = pathParameter('folder');
  const name = pathParameter('name');
  const done = await deleteModel(folder, name, owner, {
    ...deleteModelDeps(),
    imports: importsOf('delete-model'),
  });
  logger.info(done, { folder, name });
  return { statusCode: 204, message: done };
});
