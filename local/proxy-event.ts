import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Route } from '../lambda/http/route-table';

export interface ProxyRequest {
  method: string;
  /** The path below the stage, e.g. `/executes/abc`. */
  path: string;
  route: Route;
  pathParameters: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  body: string | null;
  isBase64Encoded?: boolean;
  stage: string;
  requestId: string;
  apiKey: string | null;
  /** The key's id: the owner. Null when API Gateway passed none. */
  apiKeyId: string | null;
  sourceIp: string;
}

/** Node's request headers as API Gateway's events carry them: joined, and each value apart. */
export function eventHeaders(incoming: Record<string, string | string[] | undefined>) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  return { headers, multiValueHeaders };
}

/** The event API Gateway's REST Lambda proxy integration sends (single and multi-value forms). */
export function proxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = eventHeaders(request.headers);
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of request.query) {
    query[name] = value;
    // Own properties only: `?constructor=` must not find Object.prototype's.
    multiQuery[name] = [...(Object.hasOwn(multiQuery, name) ? multiQuery[name]! : []), value];
  }
  const hasQuery = request.query.size > 0;
  return {
    resource: request.route.path,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(request.pathParameters).length > 0 ? request.pathParameters : null,
    stageVariables: null,
    // Proxy integration: text, or base64 for the binary media types (lambda/http/binary-media.ts).
    body: request.body,
    isBase64Encoded: request.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      httpMethod: request.method,
      path: `/${request.stage}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: request.route.path,
      stage: request.stage,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: request.apiKey,
        apiKeyId: request.apiKeyId,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}
