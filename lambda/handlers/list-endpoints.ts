import { listEndpointsDeps } from '../platform/deployed-environments';
import { httpHandler } from '../platform/http-handler';
import { listEndpoints } from '../use-cases/list-endpoints';

/** GET /endpoints — ListEndpoints. */
export const handler = httpHandler(async () => ({
  statusCode: 200,
  data: await listEndpoints(listEndpointsDeps()),
}));
