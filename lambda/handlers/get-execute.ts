import { getExecuteDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { annotate } from '../platform/tracing';
import { getExecute } from '../use-cases/get-execute';

/** GET /executes/{prompt_id} — GetExecute. */
export const handler = httpHandler(async ({ owner, pathParameter }) => {
  const data = await getExecute(pathParameter('prompt_id'), owner, getExecuteDeps());
  annotate({ endpoint_name: data.endpoint_name, status: data.status });
  return { statusCode: 200, data };
});
