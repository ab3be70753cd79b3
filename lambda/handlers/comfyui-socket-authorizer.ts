import type { APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { authorizeSocket, Unauthorized } from '../http/socket-authorizer';
import { tokenKey } from '../platform/browser-token-composition';
import { clock } from '../platform/composition-parts';
import { logger } from '../platform/powertools';
import { traceHandler } from '../platform/tracing';

/** The websocket's `$connect` authorizer (REQUEST): a browser token's key or the x-api-key header. */
export const handler = traceHandler(
  'comfyui-socket-authorizer',
  async (event: APIGatewayRequestAuthorizerEvent, context?: Context) => {
    if (context) logger.addContext(context);
    try {
      // Read only for a token: the x-api-key path never touches Secrets Manager.
      const key = { current: () => tokenKey('comfyui-socket-authorizer').current() };
      const result = await authorizeSocket(event, { tokenKey: key, clock });
      logger.info('websocket credential handed to the key check', { via: result.context?.via });
      return result;
    } catch (error) {
      if (error instanceof Unauthorized) logger.warn('websocket connect refused', { reason: error.reason });
      throw error;
    }
  },
);
