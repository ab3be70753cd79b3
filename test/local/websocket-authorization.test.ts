import type { IncomingMessage } from 'node:http';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { authorizeUpgrade, type SocketAuthorizer } from '../../local/websocket-authorization';

/** The local gateway's `$connect` authorization, as API Gateway answers each authorizer outcome. */
const req = { headers: { host: '127.0.0.1', 'x-api-key': 'key-a' } } as unknown as IncomingMessage;
const url = new URL('http://127.0.0.1/prod/comfyui/ws?clientId=c');
const apiKeys = new Map([['key-a', 'id-a']]);
const answer = (
  effect: 'Allow' | 'Deny',
  key: string | undefined,
  resource = '*',
): APIGatewayAuthorizerResult => ({
  principalId: 'p',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(key ? { usageIdentifierKey: key } : {}),
  context: { via: 'test' },
});
const run = (authorizer: SocketAuthorizer) =>
  authorizeUpgrade(req, url, { stage: 'prod', authorizer, apiKeys });

describe('the local websocket $connect authorization', () => {
  it('passes the authorizer the upgrade as a REQUEST event, and keeps the id of the key it names', async () => {
    let seen: any;
    const outcome = await run(async (event) => {
      seen = event;
      return answer('Allow', 'key-a', event.methodArn);
    });
    expect(seen).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/\/prod\/\$connect$/),
      headers: { 'x-api-key': 'key-a' },
      queryStringParameters: { clientId: 'c' },
    });
    expect(outcome).toEqual({ ok: true, apiKeyId: 'id-a', authorizer: { principalId: 'p', via: 'test' } });
  });

  it('answers 401 for Unauthorized, 500 for a failing authorizer, 403 for a denial or a key the API lacks', async () => {
    const unauthorized = await run(async () => {
      throw new Error('Unauthorized');
    });
    expect(unauthorized).toMatchObject({ ok: false, status: 401, body: '{"message":"Unauthorized"}' });
    const broken = await run(async () => {
      throw new Error('boom');
    });
    expect(broken).toMatchObject({ ok: false, status: 500 });
    for (const result of [
      answer('Deny', 'key-a'),
      answer('Allow', 'key-a', 'arn:aws:execute-api:us-east-1:123456789012:other/prod/$connect'),
      answer('Allow', 'key-of-another-api'),
      answer('Allow', undefined),
    ])
      expect(await run(async () => result)).toMatchObject({ ok: false, status: 403 });
  });
});
