import { EndpointNotFoundError } from '../domain/errors';
import { functionEnv } from '../platform/env';
import { httpHandler } from '../platform/http-handler';

/**
 * GET /prepare/{endpoint_name} — ESD's prepare status. Endpoints here fetch what a prompt needs
 * when it runs and POST /prepare finishes its copies before answering, so nothing is ever pending.
 * (No composition root: this function needs no adapter, and importing one would bundle the SDK.)
 */
export const handler = httpHandler(async ({ pathParameter }) => {
  const endpointName = pathParameter('endpoint_name');
  const endpointNames = functionEnv('get-prepare').ENDPOINT_NAMES;
  if (!endpointNames.includes(endpointName))
    throw new EndpointNotFoundError(
      `Endpoint '${endpointName}' is not served by this deployment; available: ${endpointNames.join(', ')}`,
    );
  return { statusCode: 200, data: { endpoint_name: endpointName, prepareSuccess: true } };
});
