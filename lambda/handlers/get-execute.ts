import { parseWith } from '../http/parse-request';
import { GetExecuteQuerySchema } from '../http/request-schemas';
import { getExecuteDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { annotate } from '../platform/tracing';
import { getExecute } from '../use-cases/get-execute';
import { inlineOutputs } from '../use-cases/inline-outputs';

/** GET /executes/{prompt_id} — GetExecute; `?inline=1` carries small output files in the answer. */
export const handler = httpHandler(async ({ owner, pathParameter, query }) => {
  // Other parameters are ignored (as ESD ignores them): without `inline` there is nothing to parse.
  const { inline } = query.inline === undefined ? {} : parseWith(GetExecuteQuerySchema(), query, 'query');
  const deps = getExecuteDeps();
  const data = await getExecute(pathParameter('prompt_id'), owner, deps);
  annotate({ endpoint_name: data.endpoint_name, status: data.status });
  if (!inline) return { statusCode: 200, data };
  return {
    statusCode: 200,
    data: { ...data, outputs: await inlineOutputs(data.outputs, data, deps.payloads) },
  };
});
