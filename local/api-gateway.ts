import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isBinaryMediaType } from '../lambda/http/binary-media';
import { type HttpHandlerName, matchRoute } from '../lambda/http/route-table';
import {
  connectionsHeaderRefusal,
  connectionsSignatureRefusal,
  type IamRefusal,
} from './api-gateway-connections';
import { BodyTooLargeError, closeIfBodyUnread, declaresBodyOver, readBoundedBody } from './bounded-body';
import { serveConsole } from './console-files';
import { invokeLocally } from './lambda-context';
import { listenOnLoopback } from './listen-on-loopback';
import {
  type LocalCredentials,
  type SecretLookup,
  secretLookup,
  TEST_ACCEPTED_CREDENTIALS,
} from './local-credentials';
import { proxyEvent } from './proxy-event';
import { type ThrottleSettings, UsagePlanThrottle } from './usage-plan-throttle';
import type { WebSocketGatewayEmulator } from './websocket-gateway';

/** API Gateway's payload limit: bigger requests get 413 before any integration runs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** What PostToConnection takes (API Gateway's websocket message limit, 128 KB). */
export const MAX_CONNECTION_POST_BYTES = 128 * 1024;

export type ProxyHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface ApiGatewayOptions {
  port: number;
  stage?: string;
  /** API key value → key id (the owner of what that key creates). */
  apiKeys: ReadonlyMap<string, string>;
  handlers: Record<HttpHandlerName, ProxyHandler>;
  /** The WebSocket API on the same port: upgrades, and the `@connections` management API. */
  sockets?: WebSocketGatewayEmulator;
  /** The usage plan's throttle (per key); none when absent. */
  throttle?: ThrottleSettings;
  /**
   * The key pairs whose SigV4 signatures the `@connections` management API accepts: on AWS it
   * takes IAM-signed calls only, or anyone who saw a connection id could read, post to or close
   * another key's websocket. @default the test suite's fixed pairs (TEST_ACCEPTED_CREDENTIALS)
   */
  credentials?: readonly LocalCredentials[];
  /**
   * An HTTP server already listening on the API port, to answer on: `npm start` binds the port
   * before it starts any part, so a port in use stops it at once with nothing to clean up. What
   * that server answered while the stack started (503) is replaced. @default a new server on `port`
   */
  server?: Server;
  log(line: string): void;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId,
    ...headers,
  });
  res.end(text);
}

/**
 * API Gateway (REST, Lambda proxy integration) in front of the handler functions: stage path,
 * `x-api-key` checked like a usage plan (403 Forbidden), unknown routes 403 Missing
 * Authentication Token, CORS preflight without a key, proxy events with requestContext filled.
 */
export class ApiGatewayEmulator {
  private readonly server: Server;
  private readonly throttle: UsagePlanThrottle | undefined;
  private readonly secretFor: SecretLookup;
  url = '';

  constructor(private readonly options: ApiGatewayOptions) {
    this.throttle = options.throttle && new UsagePlanThrottle(options.throttle);
    this.secretFor = secretLookup(options.credentials ?? TEST_ACCEPTED_CREDENTIALS);
    this.server = options.server ?? createServer();
    this.server.removeAllListeners('request').removeAllListeners('upgrade');
    this.server.on('request', (req, res) => {
      this.handle(req, res).catch((error: Error) => {
        options.log(`integration error: ${error.stack ?? error.message}`);
        if (!res.headersSent) send(res, 502, { message: 'Internal server error' }, randomUUID());
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (options.sockets) options.sockets.upgrade(req, socket, head);
      else socket.destroy();
    });
  }

  async start(): Promise<string> {
    const port = this.server.listening
      ? (this.server.address() as AddressInfo).port
      : await listenOnLoopback(this.server, this.options.port);
    this.url = `http://127.0.0.1:${port}/${this.options.stage ?? 'prod'}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    // Every refusal here is decided from the headers alone: a refused caller's body is never read.
    const refuse = (status: number, body: unknown, headers?: Record<string, string>) => {
      closeIfBodyUnread(req, res);
      send(res, status, body, requestId, headers);
    };
    if (declaresBodyOver(req, MAX_PAYLOAD_BYTES))
      return refuse(413, { message: 'Request Too Long', requestId });
    const path = this.pathInStage(url);
    if (this.answeredWithoutKey(req, res, url, path !== undefined)) return;
    if (path?.startsWith('/@connections/') && this.options.sockets)
      return this.manageConnection(req, res, decodeURIComponent(path.slice(14)), requestId);
    const matched = path === undefined ? undefined : matchRoute(method, path);
    if (!matched || path === undefined)
      return refuse(403, { message: 'Missing Authentication Token', requestId });
    // A route without apiKeyRequired (a browser token's) is not checked against the keys here.
    const keyless = matched.route.auth === 'token';
    const apiKey = req.headers['x-api-key'];
    const keyId = keyless || typeof apiKey !== 'string' ? undefined : this.options.apiKeys.get(apiKey);
    if (!keyId && !keyless) return refuse(403, { message: 'Forbidden', requestId });
    // No key's plan counts a token route: as the stage's per-method throttle does, it has a bucket of its own.
    const bucket = keyId ?? `route ${matched.route.operationId}`;
    if (this.throttle && !this.throttle.take(bucket)) {
      const where = keyId ? url.pathname : matched.route.path; // a token's path is its credential
      this.options.log(
        `${method} ${where} → 429 (${keyId ? `usage plan throttle, key ${keyId}` : 'method throttle'})`,
      );
      const throttled = { 'x-amzn-ErrorType': 'TooManyRequestsException' };
      return refuse(429, { message: 'Too Many Requests' }, throttled);
    }
    const body = await readPayload(req, res, requestId);
    if (body) await this.integrate(req, res, { matched, url, path, requestId, keyId, body });
  }

  /** The path under the stage (`/executes`), or undefined outside it. */
  private pathInStage(url: URL): string | undefined {
    const stage = this.options.stage ?? 'prod';
    if (url.pathname !== `/${stage}` && !url.pathname.startsWith(`/${stage}/`)) return undefined;
    return url.pathname.slice(stage.length + 1) || '/';
  }

  /** What needs no key: the console served beside the stage, and CORS preflights in it. */
  private answeredWithoutKey(req: IncomingMessage, res: ServerResponse, url: URL, inStage: boolean) {
    const consolePage = url.pathname === '/console' || url.pathname.startsWith('/console/');
    // Browsers ask the origin for /favicon.ico: the console's icon, as CloudFront serves it deployed.
    const favicon = url.pathname === '/favicon.ico';
    // HEAD as CloudFront answers it (uptime checks use it); Node sends the headers without the body.
    if ((req.method === 'GET' || req.method === 'HEAD') && (consolePage || favicon)) {
      closeIfBodyUnread(req, res);
      serveConsole(favicon ? '/console/favicon.ico' : url.pathname, this.url, res);
      return true;
    }
    if (req.method !== 'OPTIONS' || !inStage) return false;
    closeIfBodyUnread(req, res);
    res.writeHead(204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': '*',
      'Access-Control-Allow-Headers': '*',
    });
    res.end();
    return true;
  }

  /** The Lambda proxy integration: the event built, the handler invoked, its result answered. */
  private async integrate(req: IncomingMessage, res: ServerResponse, call: IntegrationCall) {
    const { matched, url, requestId, body } = call;
    const method = req.method ?? 'GET';
    const binary = isBinaryMediaType(req.headers['content-type']);
    const event = proxyEvent({
      method,
      path: call.path,
      route: matched.route,
      pathParameters: matched.pathParameters,
      // As API Gateway adds them: how the API was reached, so answers can name absolute URLs.
      headers: {
        // API Gateway sets these itself, whatever the client sent: Host is the API's own domain.
        ...Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => name !== 'host' && !name.startsWith('x-forwarded-')),
        ),
        Host: `127.0.0.1:${req.socket.localPort ?? ''}`,
        'X-Forwarded-For': req.socket.remoteAddress ?? '127.0.0.1',
        'X-Forwarded-Port': String(req.socket.localPort ?? ''),
        'X-Forwarded-Proto': 'http',
      },
      query: url.searchParams,
      // As API Gateway does for the REST API's binaryMediaTypes: those bodies arrive base64-encoded.
      body: body.length > 0 ? body.toString(binary ? 'base64' : 'utf8') : null,
      isBase64Encoded: binary,
      stage: this.options.stage ?? 'prod',
      requestId,
      apiKey: call.keyId ? String(req.headers['x-api-key']) : null,
      apiKeyId: call.keyId ?? null,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    const started = Date.now();
    const handler = matched.route.handler;
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const result = await invokeLocally(handler, region, this.options.handlers[handler], event);
    const payload = result.isBase64Encoded
      ? Buffer.from(result.body, 'base64')
      : Buffer.from(result.body ?? '');
    const headers: Record<string, string> = {
      'x-amzn-RequestId': requestId,
      'Content-Length': String(payload.length),
    };
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    res.writeHead(result.statusCode, headers);
    res.end(payload);
    const elapsed = Date.now() - started;
    // A browser token's path is its credential: the log names the route, not the token.
    const logged = call.keyId ? url.pathname : matched.route.path;
    this.options.log(
      `${method} ${logged} → ${result.statusCode} (${elapsed} ms, key ${call.keyId ?? 'none'})`,
    );
  }

  /**
   * `/{stage}/@connections/{id}`: IAM-signed calls only, as on AWS. A missing signature or an
   * unknown key is refused from the headers, before the body is read; the signature itself
   * covers the body's hash, so it is checked once the (bounded) body is in.
   */
  private async manageConnection(req: IncomingMessage, res: ServerResponse, id: string, requestId: string) {
    const early = connectionsHeaderRefusal(req, this.secretFor);
    if (early) return this.refuseUnsigned(req, res, early, requestId);
    const body = await readPayload(req, res, requestId, MAX_CONNECTION_POST_BYTES);
    if (!body) return;
    const refusal = await connectionsSignatureRefusal(req, body, this.secretFor);
    if (refusal) return this.refuseUnsigned(req, res, refusal, requestId);
    this.options.sockets?.manage(req.method ?? 'GET', id, body, res);
  }

  private refuseUnsigned(req: IncomingMessage, res: ServerResponse, refusal: IamRefusal, requestId: string) {
    this.options.log(`${req.method} ${req.url} → 403 (${refusal.type})`);
    closeIfBodyUnread(req, res);
    send(res, 403, { message: refusal.message }, requestId, { 'x-amzn-ErrorType': refusal.type });
  }
}

interface IntegrationCall {
  matched: NonNullable<ReturnType<typeof matchRoute>>;
  url: URL;
  path: string;
  requestId: string;
  /** Undefined on a route that takes no API key. */
  keyId: string | undefined;
  body: Buffer;
}

/** API Gateway's 413, before any integration runs; the rest of the body is not read. */
function tooLong(req: IncomingMessage, res: ServerResponse, requestId: string) {
  closeIfBodyUnread(req, res);
  send(res, 413, { message: 'Request Too Long', requestId }, requestId);
}

/** The body, up to API Gateway's payload limit; undefined once answered 413 past it. */
async function readPayload(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  limit = MAX_PAYLOAD_BYTES,
) {
  try {
    return await readBoundedBody(req, limit);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    tooLong(req, res, requestId);
    return undefined;
  }
}
