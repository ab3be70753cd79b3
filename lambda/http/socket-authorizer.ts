import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { openBrowserToken, type TokenKeySource } from '../domain/browser-token';
import type { Clock } from '../domain/ports';

export interface SocketAuthorizerDeps {
  tokenKey: TokenKeySource;
  clock: Clock;
}

/** API Gateway answers 401 when an authorizer fails with exactly this message. */
export class Unauthorized extends Error {
  constructor(readonly reason: string) {
    super('Unauthorized');
  }
}

function headerOf(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] || undefined;
}

const allow = (
  methodArn: string,
  principalId: string,
  key: string,
  via: string,
): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
  },
  // API Gateway checks this key as it checks an x-api-key header: it must be enabled and in the
  // websocket's usage plan, and its id becomes the connection's owner (identity.apiKeyId).
  usageIdentifierKey: key,
  context: { via },
});

/**
 * The websocket's `$connect`: the key a browser token carries (`?token=`), or the x-api-key
 * header, handed to API Gateway for its own key check. This authorizer never decides who the
 * owner is, only which key API Gateway is to check; a token that is forged or expired, or no
 * credential at all, is refused (401) before any key is checked.
 */
export async function authorizeSocket(
  event: APIGatewayRequestAuthorizerEvent,
  deps: SocketAuthorizerDeps,
): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.token;
  if (token !== undefined) {
    const key = await deps.tokenKey.current();
    if (!key) throw new Unauthorized('no browser token was ever issued by this deployment');
    const opened = openBrowserToken(token, key, deps.clock.now());
    if (!opened.ok) throw new Unauthorized(opened.message);
    return allow(event.methodArn, opened.claims.keyId, opened.claims.keyValue, 'token');
  }
  const apiKey = headerOf(event, 'x-api-key');
  if (apiKey) return allow(event.methodArn, 'x-api-key', apiKey, 'x-api-key');
  throw new Unauthorized('send the API key in x-api-key, or a browser token (GET /comfyui/token) as ?token=');
}
