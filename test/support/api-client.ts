import type { APIGatewayProxyResult } from 'aws-lambda';
import { matchRoute } from '../../lambda/http/route-table';
import { HTTP_HANDLERS } from '../handlers/handlers';
import { invoke } from '../handlers/harness';
import { type ApiCall, apiEvent, bodyOf } from './api-gateway';

export interface ApiResponse {
  status: number;
  body: any;
  /** The body as sent (JSON.parse would round a 64-bit integer in it). */
  text: string;
  headers: APIGatewayProxyResult['headers'];
  operationId: string;
}

/** Routes a call through the route table to its handler, as API Gateway would. */
export async function callApi(call: ApiCall): Promise<ApiResponse> {
  const { route } = matchRoute(call.method, call.path)!;
  const result = await invoke(HTTP_HANDLERS[route.handler], apiEvent(call));
  return {
    status: result.statusCode,
    body: bodyOf(result),
    text: result.body,
    headers: result.headers,
    operationId: route.operationId,
  };
}
