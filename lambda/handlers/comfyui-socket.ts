import type { APIGatewayEventWebsocketRequestContextV2, Context } from 'aws-lambda';
import { errorResponse } from '../http/error-status';
import { logger } from '../platform/powertools';
import { socketDeps } from '../platform/socket-composition';
import { traceHandler } from '../platform/tracing';
import { answerClientMessage, closeSocket, openSocket } from '../use-cases/comfyui-socket';

/** API Gateway's WebSocket proxy event; `identity.apiKeyId` is there because `$connect` requires the key. */
export interface SocketEvent {
  requestContext: APIGatewayEventWebsocketRequestContextV2 & { identity?: { apiKeyId?: string } };
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string;
}

const answer = (statusCode: number, body = '') => ({ statusCode, body });

/** `/comfyui/ws`: `$connect` keeps the connection (or answers a refusal's 4xx), `$disconnect` drops it, messages get ComfyUI's replies. */
export const handler = traceHandler('comfyui-socket', async (event: SocketEvent, context?: Context) => {
  if (context) logger.addContext(context);
  const { routeKey, connectionId } = event.requestContext;
  logger.appendKeys({ connection_id: connectionId, route: routeKey });
  if (routeKey === '$disconnect') {
    await closeSocket(connectionId, socketDeps());
    return answer(200);
  }
  if (routeKey !== '$connect') {
    await answerClientMessage(connectionId, event.body, socketDeps());
    return answer(200);
  }
  const owner = event.requestContext.identity?.apiKeyId;
  if (!owner) return answer(403, 'Forbidden'); // the route requires the key: misconfigured, so refuse
  try {
    const opened = await openSocket(
      { connectionId, owner, clientId: event.queryStringParameters?.clientId },
      socketDeps(),
    );
    logger.info('websocket connected', { client_id: opened.client_id });
    return answer(200);
  } catch (error) {
    const { statusCode } = errorResponse(error);
    if (statusCode < 500) return answer(statusCode, (error as Error).message);
    throw error;
  }
});
