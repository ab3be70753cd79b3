import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { buildDebugUrls } from '../http/debug-urls';
import { answerText, commonHeaders, envelope } from '../http/envelope';
import { errorResponse } from '../http/error-status';
import { lambdaRuntimeInfo } from './lambda-runtime';
import { logger } from './powertools';
import { annotate, inSubsegment, isTracing, ownerDigest } from './tracing';

export interface HttpRequest {
  event: APIGatewayProxyEvent;
  /** The API key's id: every execute belongs to the key that created it. */
  owner: string;
  pathParameter(name: string): string;
  query: Record<string, string>;
  /** Lambda's context (absent in some tests): how long the invocation may still run. */
  context?: Context;
}

export type HttpResult =
  | { statusCode: number; data?: unknown; message?: string; headers?: Record<string, string> }
  /** A body sent as is, without the envelope (GET /api as ESD, the ComfyUI routes as ComfyUI); `undefined` sends none. */
  | { statusCode: number; raw: unknown; headers?: Record<string, string> };

function ownerOf(event: APIGatewayProxyEvent): string | undefined {
  const id = event.requestContext?.identity?.apiKeyId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function queryOf(event: APIGatewayProxyEvent): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  return query;
}

/**
 * Wraps a route's work: ownership from the API key, structured logs keyed by request and
 * prompt id, and every outcome — result or error — in ESD's envelope with its debug links.
 */
export function httpHandler(
  work: (request: HttpRequest) => Promise<HttpResult>,
  options: { requiresOwner?: boolean } = {},
) {
  const requiresOwner = options.requiresOwner ?? true;
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const esdVersion = process.env.ESD_VERSION ?? '1.7.0';
    const debug = buildDebugUrls(lambdaRuntimeInfo(process.env, context));
    if (context) logger.addContext(context);
    logger.appendKeys({
      request_id: event.requestContext?.requestId,
      route: `${event.httpMethod} ${event.resource}`,
      ...(event.pathParameters?.prompt_id ? { prompt_id: event.pathParameters.prompt_id } : {}),
    });
    try {
      const owner = ownerOf(event);
      if (requiresOwner && !owner) return envelope(401, { message: 'Unauthorized' }, debug, esdVersion);
      const route = `${event.httpMethod} ${event.resource}`;
      // Lambda's own segment takes no annotations: they go on the handler's subsegment.
      const result = await inSubsegment(`## ${route}`, () => {
        if (isTracing())
          annotate({
            route,
            owner: owner ? ownerDigest(owner) : undefined,
            prompt_id: event.pathParameters?.prompt_id,
          });
        return inSubsegment('### use case', () =>
          work({
            event,
            owner: owner ?? '',
            query: queryOf(event),
            pathParameter: (name) => event.pathParameters?.[name] ?? '',
            ...(context ? { context } : {}),
          }),
        );
      });
      if ('raw' in result) {
        const { 'x-api-version': _omitted, ...headers } = commonHeaders(esdVersion);
        return {
          statusCode: result.statusCode,
          headers: { ...headers, ...result.headers },
          body: result.raw === undefined ? '' : answerText(result.raw),
          isBase64Encoded: false,
        };
      }
      const answer = envelope(result.statusCode, result, debug, esdVersion);
      return result.headers ? { ...answer, headers: { ...answer.headers, ...result.headers } } : answer;
    } catch (error) {
      const response = errorResponse(error);
      if (response.statusCode >= 500) logger.error('request failed', { error: error as Error });
      else logger.info('request rejected', { status: response.statusCode, reason: (error as Error).message });
      const answer = envelope(response.statusCode, response, debug, esdVersion);
      return response.headers ? { ...answer, headers: { ...answer.headers, ...response.headers } } : answer;
    } finally {
      logger.resetKeys();
    }
  };
}
