import { toPublicExecute } from '../domain/execute-record';
import { parseCreateExecuteBody, parseJsonBody } from '../http/parse-request';
import { createExecuteDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { annotate } from '../platform/tracing';
import { createExecute, dryRunExecute } from '../use-cases/create-execute';

/** POST /executes — CreateExecute. */
export const handler = httpHandler(async ({ event, owner }) => {
  const input = parseCreateExecuteBody(parseJsonBody(event.body, event.isBase64Encoded));
  if (input.dry_run) {
    const data = await dryRunExecute(input, owner, createExecuteDeps());
    const skipped =
      Object.keys(data.node_errors).length > 0 ? ' (some outputs would not run: see warnings)' : '';
    return { statusCode: 200, data, message: `valid${skipped}: nothing stored or run (dry_run)` };
  }
  if (input.prompt_id) logger.appendKeys({ prompt_id: input.prompt_id });
  const { created, record, warnings = [] } = await createExecute(input, owner, createExecuteDeps());
  logger.appendKeys({ prompt_id: record.prompt_id });
  annotate({ prompt_id: record.prompt_id, endpoint_name: record.endpoint_name, status: record.status });
  logger.info(created ? 'execute created' : 'execute already existed (idempotent retry)', {
    status: record.status,
  });
  const message = warnings.length > 0 ? { message: `Created; ${warnings.join('; ')}` } : {};
  return { statusCode: created ? 201 : 200, data: toPublicExecute(record), ...message };
});
