import { toPublicExecute } from '../domain/execute-record';
import { parseJsonBody } from '../http/parse-request';
import { createRequested, executeRequestOf } from '../http/template-run';
import { answerAfterWait, waitOptionsOf } from '../http/wait-answer';
import { createExecuteDeps, createExecuteWaitDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { annotate } from '../platform/tracing';
import { dryRunExecute } from '../use-cases/create-execute';

/** POST /executes and /schemas/{name}/executes (a run by name); `wait`: answered at the end (201) or 202. */
export const handler = httpHandler(async (request) => {
  const { event, owner } = request;
  const body = parseJsonBody(event.body, event.isBase64Encoded);
  const deps = createExecuteDeps();
  const { input, checks } = await executeRequestOf(event.pathParameters?.name, body, owner, deps);
  if (input.prompt_id) logger.appendKeys({ prompt_id: input.prompt_id });
  if (input.dry_run) {
    const data = await dryRunExecute(input, owner, deps);
    const skipped =
      Object.keys(data.node_errors).length > 0 ? ' (some outputs would not run: see warnings)' : '';
    return { statusCode: 200, data, message: `valid${skipped}: nothing stored or run (dry_run)` };
  }
  const { created, record, warnings = [] } = await createRequested(input, owner, deps, checks);
  logger.appendKeys({ prompt_id: record.prompt_id });
  annotate({ prompt_id: record.prompt_id, endpoint_name: record.endpoint_name, status: record.status });
  logger.info(created ? 'execute created' : 'execute already existed (idempotent retry)', {
    status: record.status,
  });
  const message = warnings.length > 0 ? { message: `Created; ${warnings.join('; ')}` } : {};
  const statusCode = created ? 201 : 200;
  const wait = waitOptionsOf(body);
  if (wait.seconds === 0) return { statusCode, data: toPublicExecute(record), ...message };
  const answer = await answerAfterWait({ statusCode, record, ...message }, wait, request, {
    ...deps,
    ...createExecuteWaitDeps(),
  });
  logger.info('waited for the execute', { wait: wait.seconds, status: answer.data.status });
  return answer;
});
