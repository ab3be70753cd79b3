import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isBinaryMediaType } from '../lambda/http/binary-media';
import { type HttpHandlerName, matchRoute } from '../lambda/http/route-table';
import { serveConsole } from './console-files';
import { invokeLocally } from './lambda-context';
import { listenOnLoopback } from './listen-on-loopback';
import { proxyEvent } from './proxy-event';
import { type ThrottleSettings, UsagePlanThrottle } from './usage-plan-throttle';
import type { WebSocketGatewayEmulator } from './websocket-gateway';

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * API Gateway (REST, Lambda proxy integration) in front of the handler functions: stage path,
 * `x-api-key` checked like a usage plan (403 Forbidden), unknown routes 403 Missing
 * Authentication Token, CORS preflight without a key, proxy events with requestContext filled.
 */
export class ApiGatewayEmulator {
  private readonly server: Server;
  private readonly throttle: UsagePlanThrottle | undefined;
  url = '';

  constructor(private readonly options: ApiGatewayOptions) {
    this.throttle = options.throttle && new UsagePlanThrottle(options.throttle);
    this.server = createServer((req, res) => {
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
    const port = await listenOnLoopback(this.server, this.options.port);
    this.url = `http://127.0.0.1:${port}/${this.options.stage ?? 'prod'}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const stage = this.options.stage ?? 'prod';
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    // API Gateway refuses payloads over 10 MB before any integration runs.
    if (body.length > MAX_PAYLOAD_BYTES)
      return send(res, 413, { message: 'Request Too Long', requestId }, requestId);
    if (method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/')))
      return serveConsole(url.pathname, this.url, res);
    const inStage = url.pathname === `/${stage}` || url.pathname.startsWith(`/${stage}/`);
    const path = inStage ? url.pathname.slice(stage.length + 1) || '/' : url.pathname;
    if (method === 'OPTIONS' && inStage) {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': '*',
        'Access-Control-Allow-Headers': '*',
      });
      return res.end();
    }
    if (inStage && path.startsWith('/@connections/') && this.options.sockets)
      return this.options.sockets.manage(method, decodeURIComponent(path.slice(14)), body, res);
    const matched = inStage ? matchRoute(method, path) : undefined;
    if (!matched) return send(res, 403, { message: 'Missing Authentication Token', requestId }, requestId);
    const apiKey = req.headers['x-api-key'];
    const keyId = typeof apiKey === 'string' ? this.options.apiKeys.get(apiKey) : undefined;
    if (!keyId) return send(res, 403, { message: 'Forbidden', requestId }, requestId);
    if (this.throttle && !this.throttle.take(keyId)) {
      this.options.log(`${method} ${url.pathname} → 429 (usage plan throttle, key ${keyId})`);
      return send(res, 429, { message: 'Too Many Requests' }, requestId, {
        'x-amzn-ErrorType': 'TooManyRequestsException',
      });
    }

    const binary = isBinaryMediaType(req.headers['content-type']);
    const event = proxyEvent({
      method,
      path,
      route: matched.route,
      pathParameters: matched.pathParameters,
      headers: req.headers,
      query: url.searchParams,
      // As API Gateway does for the REST API's binaryMediaTypes: those bodies arrive base64-encoded.
      body: body.length > 0 ? body.toString(binary ? 'base64' : 'utf8') : null,
      isBase64Encoded: binary,
      stage,
      requestId,
      apiKey: apiKey as string,
      apiKeyId: keyId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    const started = Date.now();
    const result = await invokeLocally(
      matched.route.handler,
      process.env.AWS_REGION ?? 'us-east-1',
      this.options.handlers[matched.route.handler],
      event,
    );
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
    this.options.log(
      `${method} ${url.pathname} → ${result.statusCode} (${Date.now() - started} ms, key ${keyId})`,
    );
  }
}
