import { parseJsonBody, parseWith } from '../http/parse-request';
import { CreateInputBodySchema } from '../http/request-schemas';
import { createInputDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { createInput } from '../use-cases/create-input';

/** POST /inputs — CreateInput: a name for the file and a presigned upload for exactly its bytes. */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseWith(CreateInputBodySchema(), parseJsonBody(event.body, event.isBase64Encoded), 'body');
  const data = await createInput(body, owner, createInputDeps());
  logger.info('input named', { name: data.name, size: data.size, content_type: data.content_type });
  return { statusCode: 201, data, message: 'upload the file to data.upload.url with data.upload.headers' };
});
