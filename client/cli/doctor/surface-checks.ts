import WebSocket from 'ws';
import { keySafeOver } from './run-witnesses';
import { type Check, CheckFailed } from './runner';
import type { DoctorState } from './state';

const SOCKET_WAIT_MS = 10_000;

/**
 * One websocket handshake: `open` and the first message (ComfyUI's `status` greeting, which
 * reaches the socket through the table's stream: the whole path), or the HTTP status that refused it.
 */
export function handshake(url: string, headers: Record<string, string>) {
  return new Promise<{ opened: true; greeting: string | undefined } | { opened: false; status: number }>(
    (resolve, reject) => {
      const socket = new WebSocket(url, { headers, handshakeTimeout: SOCKET_WAIT_MS });
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: Parameters<typeof resolve>[0]) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        resolve(result);
      };
      socket.on('unexpected-response', (_request, response) =>
        finish({ opened: false, status: response.statusCode ?? 0 }),
      );
      socket.on('open', () => {
        timer = setTimeout(() => finish({ opened: true, greeting: undefined }), SOCKET_WAIT_MS);
      });
      socket.on('message', (data) => {
        let type = 'message';
        try {
          type = (JSON.parse(String(data)) as { type?: string }).type ?? type;
        } catch {
          // Not JSON: still a message through the whole path.
        }
        finish({ opened: true, greeting: type });
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    },
  );
}

/** (7) ComfyUI's websocket: `$connect` takes the key (and greets), and refuses a connection without it. */
export function websocketCheck(state: DoctorState): Check {
  return {
    name: 'websocket',
    title: 'ComfyUI websocket',
    needs: ['api'],
    async run() {
      const base = state.about?.websocket_url;
      if (!base)
        throw new CheckFailed(
          'GET /about names no websocket URL',
          'deploy again: the stack sets it on the health function',
        );
      if (!keySafeOver(state.apiUrl, base))
        throw new CheckFailed(
          `GET /about names ${base}, a plain websocket for an https API: the key is not sent there`,
          "the stack's websocket is wss://: check COMFYUI_WEBSOCKET_URL on the health function",
        );
      const url = `${base}${base.includes('?') ? '&' : '?'}clientId=comfy-exec-doctor`;
      const keyed = await handshake(url, { 'x-api-key': state.apiKey }).catch((error: Error) => {
        throw new CheckFailed(
          `cannot connect to ${base}: ${error.message}`,
          'check the ComfyUiWebSocketUrl stack output and the network',
        );
      });
      if (!keyed.opened)
        throw new CheckFailed(
          `$connect refused the key (HTTP ${keyed.status})`,
          "two causes answer alike: the key missing from the websocket's usage plan (deploy again) or $connect's event without identity.apiKeyId (the comfyui-socket function refuses it); the stage's access log tells them apart: status, apiKeyId, integrationError (docs/architecture.md A1)",
        );
      if (!keyed.greeting)
        throw new CheckFailed(
          `connected, but no message came within ${SOCKET_WAIT_MS / 1000} s (ComfyUI's status greeting)`,
          'the executes/connections table streams feed the comfyui-events function: see its logs and its dead-letter queue',
        );
      const anonymous = await handshake(url, {}).catch((error: Error) => ({
        opened: false as const,
        status: 0,
        error,
      }));
      if (anonymous.opened)
        throw new CheckFailed(
          'a connection without a key was accepted',
          'the $connect route must require the API key (apiKeyRequired): deploy again',
        );
      return `connected with the key (greeted with "${keyed.greeting}"), refused without it (HTTP ${anonymous.status})`;
    },
  };
}

/** What CloudFront's response headers policy and `npm start` both send (console/security-headers.ts). */
function missingSecurityHeaders(response: Response, https: boolean): string[] {
  const expected: [string, (value: string) => boolean][] = [
    ['content-security-policy', (v) => v.includes("script-src 'self'") && !v.includes('unsafe-inline')],
    ['x-content-type-options', (v) => v.toLowerCase() === 'nosniff'],
    ['x-frame-options', (v) => v.toUpperCase() === 'DENY'],
    ['referrer-policy', (v) => v.toLowerCase() === 'no-referrer'],
    // HSTS means something on HTTPS only; the local console is plain HTTP.
    ...(https
      ? [
          ['strict-transport-security', (v: string) => /max-age=\d+/.test(v)] as [
            string,
            (v: string) => boolean,
          ],
        ]
      : []),
  ];
  return expected
    .filter(([name, valid]) => {
      const value = response.headers.get(name);
      return value === null || !valid(value);
    })
    .map(([name]) => name);
}

const sameApi = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** (8) The web console answers 200 with its security headers, and its config.json names this API. */
export function consoleCheck(state: DoctorState): Check {
  return {
    name: 'console',
    title: 'web console',
    needs: ['api'],
    async run() {
      const url = state.about?.console_url;
      if (!url)
        throw new CheckFailed(
          'GET /about names no console URL',
          'deploy again: the stack sets it on the health function',
        );
      const page = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      if (page.status !== 200)
        throw new CheckFailed(
          `${url} answered HTTP ${page.status}`,
          "the console's files are copied to its bucket at deploy time and CloudFront reads them through origin access control: see the stack's BucketDeployment",
        );
      const missing = missingSecurityHeaders(page, new URL(url).protocol === 'https:');
      if (missing.length > 0)
        throw new CheckFailed(
          `${url} answered without the expected ${missing.join(', ')}`,
          "the distribution's response headers policy (lib/constructs/web-console.ts) must be attached: deploy again",
        );
      const config = await fetch(new URL('config.json', url), { signal: AbortSignal.timeout(15_000) })
        .then((response) => response.json() as Promise<{ apiUrl?: unknown }>)
        .catch(() => ({ apiUrl: undefined }));
      if (typeof config.apiUrl !== 'string')
        throw new CheckFailed(
          `${new URL('config.json', url)} does not name the API the console talks to`,
          'the console deployment writes it next to the files: deploy again',
        );
      // Another URL is not wrong in itself (a custom domain in front of the API): said, not failed.
      const api = sameApi(config.apiUrl, state.apiUrl) ? 'this API' : config.apiUrl;
      return `answered 200 with its Content-Security-Policy and the other security headers; it talks to ${api}`;
    },
  };
}
