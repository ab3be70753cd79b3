import { keySafeOver } from './run-witnesses';
import { type Check, CheckFailed } from './runner';
import type { DoctorState } from './state';
import { handshake } from './surface-checks';

interface TokenAnswer {
  token?: unknown;
  view_url?: unknown;
  websocket_url?: unknown;
}

/**
 * Browser tokens, end to end with no key: one is issued (on AWS the first creates its Secrets
 * Manager key), the websocket opens with it alone (the $connect authorizer hands the key it
 * carries to API Gateway's key check), and /comfyui/t/{token}/view takes it (404 for a file that
 * does not exist: the token was accepted).
 */
export function browserTokenCheck(state: DoctorState): Check {
  return {
    name: 'browser-token',
    title: 'browser token',
    needs: ['websocket'],
    async run() {
      const issued = await fetch(new URL('comfyui/token?expires_in=60', state.apiUrl), {
        headers: { 'x-api-key': state.apiKey },
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await issued.json().catch(() => ({}))) as TokenAnswer;
      if (
        issued.status !== 200 ||
        typeof body.websocket_url !== 'string' ||
        typeof body.view_url !== 'string'
      )
        throw new CheckFailed(
          `GET /comfyui/token answered HTTP ${issued.status}`,
          'the comfyui-api function makes the token key (a Secrets Manager secret, …/browser-token-key) on first use: see its log for secretsmanager errors; deploy again if the route is missing',
        );
      if (!keySafeOver(state.apiUrl, body.websocket_url))
        throw new CheckFailed(
          `the token's websocket URL ${body.websocket_url} is not wss://`,
          'deploy again',
        );
      const socket = await handshake(`${body.websocket_url}&clientId=comfy-exec-doctor-token`, {});
      if (!socket.opened)
        throw new CheckFailed(
          `$connect refused the token (HTTP ${socket.status})`,
          socket.status === 401
            ? "the $connect authorizer refused it: see the comfyui-socket-authorizer function's log (it may not read the token key)"
            : "API Gateway refused the key the token carries: the key must be in the websocket's usage plan too (README: API keys)",
        );
      const view = await fetch(`${body.view_url}?filename=comfy-exec-doctor-none.png&type=output`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
      if (view.status !== 404)
        throw new CheckFailed(
          `GET /comfyui/t/{token}/view answered HTTP ${view.status} for a file that does not exist (404 expected)`,
          view.status === 403
            ? 'the comfyui-token-view function refused the token: see its log (it may not read the token key)'
            : 'deploy again: the route may be missing',
        );
      return 'issued for 60 s; the websocket opened with it and no key, and /view took it';
    },
  };
}
