import {
  BROWSER_TOKEN_SECONDS,
  type OpenedToken,
  openBrowserToken,
  sealBrowserToken,
  type TokenKeySource,
} from '../domain/browser-token';
import type { Clock } from '../domain/ports';
import type { HttpRequest, HttpResult } from '../platform/http-handler';
import type { ComfyFileDeps } from '../use-cases/comfyui-files';
import { getView } from './comfyui-view-route';
import { besideCalledUrl, header } from './wait-answer';

export interface IssueTokenDeps {
  tokenKey: TokenKeySource;
  clock: Clock;
  /** ComfyUI's websocket, answered with the token in its query. */
  webSocketUrl: string | undefined;
}

export interface TokenViewDeps extends ComfyFileDeps {
  tokenKey: TokenKeySource;
  clock: Clock;
}

const text = (statusCode: number, raw: string): HttpResult => ({ statusCode, raw });

/** `GET /comfyui/token[?expires_in=SECONDS]`: a browser token for the calling key. */
export async function issueBrowserToken(request: HttpRequest, deps: IssueTokenDeps): Promise<HttpResult> {
  const asked = request.query.expires_in;
  const seconds = asked === undefined ? BROWSER_TOKEN_SECONDS.default : Number(asked);
  if (
    (asked !== undefined && !/^\d+$/.test(asked)) ||
    seconds < BROWSER_TOKEN_SECONDS.min ||
    seconds > BROWSER_TOKEN_SECONDS.max
  )
    return text(
      400,
      `400: Bad Request: expires_in must be a whole number of seconds from ${BROWSER_TOKEN_SECONDS.min} to ${BROWSER_TOKEN_SECONDS.max}, not '${(asked ?? '').slice(0, 20)}'`,
    );
  // API Gateway let the request through on this header: the token carries it to the websocket's key check.
  const keyValue = header(request.event, 'x-api-key');
  if (!keyValue || !request.owner) return text(401, '401: Unauthorized: send the API key in x-api-key');
  const key = await deps.tokenKey.current();
  if (!key) throw new Error('the issuing function has no token key');
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + seconds;
  const token = sealBrowserToken({ keyId: request.owner, keyValue, expiresAt }, key);
  const socket = deps.webSocketUrl ? new URL(deps.webSocketUrl) : undefined;
  socket?.searchParams.set('token', token);
  return {
    statusCode: 200,
    raw: {
      token,
      expires_in: seconds,
      expires_at: new Date(expiresAt * 1000).toISOString(),
      view_url: besideCalledUrl(request.event, (called) =>
        called.replace(/\/(api\/)?token$/, `/t/${token}/view`),
      ),
      websocket_url: socket?.toString() ?? null,
    },
    headers: { 'Cache-Control': 'no-store' },
  };
}

async function opened(token: string, deps: TokenViewDeps): Promise<OpenedToken> {
  const key = await deps.tokenKey.current();
  if (!key) return { ok: false, reason: 'forged', message: 'the token was not issued by this deployment' };
  return openBrowserToken(token, key, deps.clock.now());
}

/** `GET /comfyui/t/{token}/view`: ComfyUI's /view for the token's key, with no API key. */
export async function viewWithToken(request: HttpRequest, deps: TokenViewDeps): Promise<HttpResult> {
  const token = await opened(request.pathParameter('token'), deps);
  if (!token.ok) return text(403, `403: Forbidden: ${token.message}`);
  // The file's signed URL must not outlive the token that led to it.
  const left = token.claims.expiresAt - Math.floor(deps.clock.now().getTime() / 1000);
  const presignTtlSeconds = Math.max(1, Math.min(deps.presignTtlSeconds, left));
  return getView({ ...request, owner: token.claims.keyId }, { ...deps, presignTtlSeconds });
}
