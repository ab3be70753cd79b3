import type { IncomingMessage } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { invokeLocally } from './lambda-context';
import { eventHeaders } from './proxy-event';

export type SocketAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

export type UpgradeAuthorization =
  | { ok: true; apiKeyId: string; authorizer: Record<string, unknown> }
  | { ok: false; status: number; reason: string; body: string };

const refused = (status: number, reason: string, message: string): UpgradeAuthorization => ({
  ok: false,
  status,
  reason,
  body: JSON.stringify({ message }),
});

function authorizerEvent(req: IncomingMessage, url: URL, stage: string, methodArn: string) {
  const { headers, multiValueHeaders } = eventHeaders(req.headers);
  return {
    type: 'REQUEST',
    methodArn,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.fromEntries(url.searchParams),
    requestContext: { routeKey: '$connect', eventType: 'CONNECT', stage, apiId: 'local-websocket' },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

/**
 * API Gateway's `$connect` with a REQUEST authorizer and the API key selected from its answer
 * (`$context.authorizer.usageIdentifierKey`): the authorizer's "Unauthorized" is 401, an error 500,
 * a policy that does not allow `$connect` 403; then the key it names is checked as an x-api-key
 * header would be (403 unless it is one of the stack's keys), and its id is the connection's.
 */
export async function authorizeUpgrade(
  req: IncomingMessage,
  url: URL,
  options: { stage: string; authorizer: SocketAuthorizer; apiKeys: ReadonlyMap<string, string> },
): Promise<UpgradeAuthorization> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const methodArn = `arn:aws:execute-api:${region}:123456789012:local-websocket/${options.stage}/$connect`;
  let result: APIGatewayAuthorizerResult;
  try {
    result = await invokeLocally(
      'comfyui-socket-authorizer',
      region,
      options.authorizer,
      authorizerEvent(req, url, options.stage, methodArn),
    );
  } catch (error) {
    if ((error as Error).message === 'Unauthorized')
      return refused(401, 'authorizer: Unauthorized', 'Unauthorized');
    return refused(500, `authorizer failed: ${(error as Error).message}`, 'Internal server error');
  }
  const statements = result.policyDocument?.Statement ?? [];
  const covers = (statement: (typeof statements)[number]) =>
    'Resource' in statement &&
    [statement.Resource].flat().some((resource) => resource === methodArn || resource === '*');
  const allowed =
    statements.some((s) => s.Effect === 'Allow' && covers(s)) &&
    !statements.some((s) => s.Effect === 'Deny' && covers(s));
  if (!allowed) return refused(403, 'authorizer: not allowed', 'Forbidden');
  const apiKeyId = options.apiKeys.get(result.usageIdentifierKey ?? '');
  if (!apiKeyId) return refused(403, 'the key the authorizer named is not a key of this API', 'Forbidden');
  return { ok: true, apiKeyId, authorizer: { principalId: result.principalId, ...(result.context ?? {}) } };
}
