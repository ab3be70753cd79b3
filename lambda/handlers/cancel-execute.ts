import { toPublicExecute } from '../domain/execute-record';
import { cancelExecuteDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { cancelExecute } from '../use-cases/cancel-execute';

/** POST /executes/{prompt_id}/cancel — CancelExecute. */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const record = await cancelExecute(pathParameter('prompt_id'), owner, cancelExecuteDeps());
  return { statusCode: 200, data: toPublicExecute(record) };
});
