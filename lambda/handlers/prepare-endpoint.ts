import { parseJsonBody, parseWith } from '../http/parse-request';
import { PrepareBodySchema } from '../http/request-schemas';
import { prepareEndpointDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { prepareEndpoint } from '../use-cases/prepare-endpoint';

/** POST /prepare — ESD's prepare, as copies into the model library or the caller's inputs. */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseWith(PrepareBodySchema(), parseJsonBody(event.body, event.isBase64Encoded), 'body');
  const data = await prepareEndpoint(body, owner, prepareEndpointDeps());
  logger.info('prepared', {
    endpoint: data.endpoint_name,
    type: data.prepare_type,
    objects: data.prepared.length,
  });
  return { statusCode: 200, data };
});
