import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { issueBrowserToken, viewWithToken } from '../../../lambda/http/browser-token-routes';
import type { HttpRequest } from '../../../lambda/platform/http-handler';
import { fakesWithExecutes } from '../../fakes/seeded-records';

const KEY = Buffer.alloc(32, 9);

function request(path: string, query: Record<string, string>, extra: Partial<HttpRequest> = {}): HttpRequest {
  const event = {
    path,
    headers: {
      'X-API-Key': 'value-of-a',
      Host: 'abc.execute-api.eu-west-1.amazonaws.com',
      'X-Forwarded-Proto': 'https',
    },
    requestContext: { path: `/prod${path}` },
  } as unknown as APIGatewayProxyEvent;
  return { event, owner: 'a', query, pathParameter: () => '', ...extra };
}

async function fixture() {
  const fakes = await fakesWithExecutes([{ owner: 'a', status: 'success' }]);
  const record = fakes.records[0]!;
  Object.assign(record, {
    output_path: `s3://bucket/executes/${record.prompt_id}/outputs/`,
    outputs: { '9': { images: [{ filename: 'x.png', subfolder: '', type: 'output', key: '9/x.png' }] } },
  });
  const deps = {
    ...fakes.deps,
    presignTtlSeconds: 60,
    tokenKey: { current: async () => KEY },
    webSocketUrl: 'wss://ws.example.com/prod',
  };
  return { ...fakes, record, deps };
}

describe('browser token routes', () => {
  it('issue a token whose view URL is beside the path called, and whose websocket URL carries it', async () => {
    const { deps } = await fixture();
    for (const path of ['/comfyui/token', '/comfyui/api/token']) {
      const answer = await issueBrowserToken(request(path, { expires_in: '120' }), deps);
      const body = (answer as { raw: Record<string, string> }).raw;
      expect(body.view_url).toBe(
        `https://abc.execute-api.eu-west-1.amazonaws.com/prod/comfyui/t/${body.token}/view`,
      );
      expect(body.websocket_url).toBe(`wss://ws.example.com/prod?token=${body.token}`);
      expect(body.expires_in).toBe(120);
    }
  });

  it('view the token’s owner’s file until the token expires, then answer 403 saying so', async () => {
    const { deps, record, clock } = await fixture();
    const issued = await issueBrowserToken(request('/comfyui/token', { expires_in: '60' }), deps);
    const token = (issued as { raw: { token: string } }).raw.token;
    const view = () =>
      viewWithToken(
        request(
          '/comfyui/t/{token}/view',
          { filename: 'x.png', subfolder: record.prompt_id },
          {
            owner: '',
            pathParameter: () => token,
          },
        ),
        deps,
      );
    expect(await view()).toMatchObject({ statusCode: 302 });
    clock.advance(60_000);
    expect(await view()).toMatchObject({
      statusCode: 403,
      raw: expect.stringMatching(
        /^403: Forbidden: the token expired at .*: get a new one from GET \/comfyui\/token$/,
      ),
    });
  });

  it('issue nothing without the key’s own value (the header API Gateway checked)', async () => {
    const { deps } = await fixture();
    const noHeader = request('/comfyui/token', {});
    noHeader.event.headers = {};
    expect(await issueBrowserToken(noHeader, deps)).toMatchObject({ statusCode: 401 });
  });
});
