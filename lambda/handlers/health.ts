import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { version } from '../../package.json';
import { logGroupUrl } from '../http/debug-urls';
import { functionEnv } from '../platform/env';
import { httpHandler } from '../platform/http-handler';
import { describeDeployment } from '../use-cases/describe-deployment';

/** GET / → "OK", GET /ping → "pong", as ESD's root and ping routes. */
const health = httpHandler(
  async ({ event }) => ({ statusCode: 200, message: event.resource === '/ping' ? 'pong' : 'OK' }),
  { requiresOwner: false },
);

/**
 * GET /about: the stack outputs a client needs (websocket, console, endpoints), so an operator
 * hands tools only the API URL and key. Owner-authenticated like every data route.
 */
const about = httpHandler(async () => {
  const env = functionEnv('health');
  return {
    statusCode: 200,
    data: describeDeployment({
      config: {
        version,
        apiVersion: env.ESD_VERSION,
        region: env.AWS_REGION,
        websocketUrl: env.COMFYUI_WEBSOCKET_URL,
        consoleUrl: env.CONSOLE_URL,
        endpointNames: env.ENDPOINT_NAMES,
        defaultEndpointName: env.DEFAULT_ENDPOINT_NAME,
      },
      logGroupUrl: (group) => logGroupUrl({ region: env.AWS_REGION, urlSuffix: env.URL_SUFFIX }, group),
    }),
  };
});

// One function for the three: /about reads nothing but its environment, as the health routes.
export const handler = (event: APIGatewayProxyEvent, context?: Context) =>
  (event.resource === '/about' ? about : health)(event, context);
