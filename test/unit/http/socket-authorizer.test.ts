import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sealBrowserToken } from '../../../lambda/domain/browser-token';
import { authorizeSocket, Unauthorized } from '../../../lambda/http/socket-authorizer';

const KEY = Buffer.alloc(32, 3);
const NOW = new Date('2026-12-06T12:00:00.000Z');
const METHOD = 'arn:aws:execute-api:eu-west-1:123456789012:abc/prod/$connect';
/** `null`: no token key exists (none was ever issued). */
const deps = (key: Buffer | null = KEY) => ({
  tokenKey: { current: async () => key ?? undefined },
  clock: { now: () => NOW },
});
const event = (query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  ({
    type: 'REQUEST',
    methodArn: METHOD,
    headers,
    queryStringParameters: query,
  }) as unknown as APIGatewayRequestAuthorizerEvent;
const token = (expiresAt = NOW.getTime() / 1000 + 60) =>
  sealBrowserToken({ keyId: 'id-a', keyValue: 'value-of-key-a', expiresAt }, KEY);

describe("the websocket's $connect authorizer", () => {
  it('hands API Gateway the key a token carries, allowing $connect only', async () => {
    const result = await authorizeSocket(event({ token: token(), clientId: 'c' }), deps());
    expect(result).toMatchObject({
      principalId: 'id-a',
      usageIdentifierKey: 'value-of-key-a',
      context: { via: 'token' },
    });
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD },
    ]);
  });

  it('hands over the x-api-key header (any case) for API Gateway to check, without reading the token key', async () => {
    const result = await authorizeSocket(event({}, { 'X-Api-Key': 'header-key' }), deps(null));
    expect(result).toMatchObject({ usageIdentifierKey: 'header-key', context: { via: 'x-api-key' } });
  });

  it('refuses (401) an expired, altered or unissued token, even beside a valid header, and no credential', async () => {
    const refusals = [
      event({ token: token(NOW.getTime() / 1000) }),
      event({ token: `${token().slice(0, -2)}zz` }, { 'x-api-key': 'header-key' }),
      event({ token: '' }, { 'x-api-key': 'header-key' }),
      event(),
      event({}, { 'x-api-key': '' }),
    ];
    for (const refused of refusals) {
      const error = await authorizeSocket(refused, deps()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Unauthorized);
      expect((error as Error).message).toBe('Unauthorized');
    }
    const never = await authorizeSocket(event({ token: token() }), deps(null)).catch((e: Error) => e);
    expect(never).toMatchObject({
      message: 'Unauthorized',
      reason: expect.stringContaining('no browser token was ever issued'),
    });
  });
});
