import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { SocketEvent } from '../lambda/handlers/comfyui-socket';
import { invokeLocally } from './lambda-context';
import { authorizeUpgrade, type SocketAuthorizer } from './websocket-authorization';

export type SocketHandler = (event: SocketEvent) => Promise<{ statusCode: number; body?: string }>;

export interface WebSocketGatewayOptions {
  stage: string;
  /** Where ComfyUI's websocket is served in the stage: `/comfyui/ws` and `/comfyui/api/ws`. */
  paths: readonly string[];
  apiKeys: ReadonlyMap<string, string>;
  /** `$connect`'s REQUEST authorizer, whose usageIdentifierKey is the key checked. */
  authorizer: SocketAuthorizer;
  handler: SocketHandler;
  log(line: string): void;
}

interface OpenConnection {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
}

function refuse(socket: Duplex, status: number, reason: string, body: string) {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * API Gateway's WebSocket API for the local stack, on the REST emulator's port: the upgrade
 * passed to the `$connect` authorizer and the key it names checked against the API keys (401 or
 * 403 before `$connect`, as `apiKeyRequired` with the authorizer's usageIdentifierKey does), then
 * `$connect`, `$default` and `$disconnect` proxy events to the same handler the CDK app deploys,
 * and the management API (`POST|GET|DELETE /{stage}/@connections/{id}`, GoneException for a
 * closed connection) through which the functions post their messages.
 */
export class WebSocketGatewayEmulator {
  // API Gateway's websocket message limit: a bigger one closes the connection (1009), instead of
  // the ws default of 100 MiB parsed in the stack's one process while every other part waits.
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 });
  private readonly open = new Map<string, OpenConnection>();

  /** How many clients are connected now. */
  get openConnections(): number {
    return this.open.size;
  }

  constructor(private readonly options: WebSocketGatewayOptions) {}

  /** An HTTP upgrade on the gateway's port. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.accept(req, socket, head).catch((error: Error) => {
      this.options.log(`websocket $connect failed: ${error.stack ?? error.message}`);
      refuse(socket, 500, 'Internal Server Error', '{"message":"Internal server error"}');
    });
  }

  private event(
    routeKey: string,
    connectionId: string,
    extra: Partial<SocketEvent> & { apiKeyId?: string; authorizer?: Record<string, unknown> } = {},
  ): SocketEvent {
    const now = Date.now();
    const { apiKeyId, authorizer, ...rest } = extra;
    return {
      requestContext: {
        routeKey,
        eventType:
          routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
        messageId: randomUUID(),
        extendedRequestId: randomUUID(),
        requestTime: new Date(now).toUTCString(),
        messageDirection: 'IN',
        stage: this.options.stage,
        connectedAt: this.open.get(connectionId)?.connectedAt ?? now,
        requestTimeEpoch: now,
        requestId: randomUUID(),
        domainName: '127.0.0.1',
        connectionId,
        apiId: 'local-websocket',
        ...(apiKeyId ? { identity: { apiKeyId } } : {}),
        ...(authorizer ? { authorizer } : {}),
      },
      ...rest,
    };
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!this.options.paths.some((path) => url.pathname === `/${this.options.stage}${path}`))
      return refuse(socket, 403, 'Forbidden', '{"message":"Missing Authentication Token"}');
    const authorized = await authorizeUpgrade(req, url, this.options);
    if (!authorized.ok) {
      this.options.log(`websocket ${url.pathname} → ${authorized.status} (${authorized.reason})`);
      return refuse(
        socket,
        authorized.status,
        authorized.status === 401 ? 'Unauthorized' : 'Forbidden',
        authorized.body,
      );
    }
    const { apiKeyId } = authorized;
    // API Gateway's connection ids: 12 random bytes, base64.
    const connectionId = randomBytes(12).toString('base64');
    const query = Object.fromEntries(url.searchParams);
    const result = await this.invoke(
      this.event('$connect', connectionId, {
        queryStringParameters: query,
        apiKeyId,
        authorizer: authorized.authorizer,
      }),
    );
    if (result.statusCode < 200 || result.statusCode > 299) {
      this.options.log(`websocket $connect → ${result.statusCode}: ${result.body ?? ''}`);
      return refuse(
        socket,
        result.statusCode,
        'Refused',
        JSON.stringify({ message: result.body || 'Forbidden' }),
      );
    }
    this.server.handleUpgrade(req, socket, head, (ws) => {
      const now = Date.now();
      this.open.set(connectionId, {
        socket: ws,
        connectedAt: now,
        lastActiveAt: now,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      this.options.log(`websocket ${connectionId} connected (key ${apiKeyId})`);
      ws.on('message', (data, binary) => {
        const entry = this.open.get(connectionId);
        if (entry) entry.lastActiveAt = Date.now();
        if (binary) return;
        this.invoke(this.event('$default', connectionId, { body: data.toString() })).catch((error: Error) =>
          this.options.log(`websocket $default failed: ${error.message}`),
        );
      });
      // A message past maxPayload (ws closes with 1009) or a broken frame: that client's problem alone.
      ws.on('error', (error) => this.options.log(`websocket ${connectionId} closed: ${error.message}`));
      ws.on('close', () => {
        this.open.delete(connectionId);
        this.invoke(this.event('$disconnect', connectionId)).catch((error: Error) =>
          this.options.log(`websocket $disconnect failed: ${error.message}`),
        );
      });
    });
  }

  private invoke(event: SocketEvent) {
    return invokeLocally(
      'comfyui-socket',
      process.env.AWS_REGION ?? 'us-east-1',
      this.options.handler,
      event,
    );
  }

  /** `/{stage}/@connections/{id}`: what the functions call through the SDK's management client. */
  manage(method: string, connectionId: string, body: Buffer, res: ServerResponse): void {
    const entry = this.open.get(connectionId);
    const reply = (status: number, payload?: unknown, errorType?: string) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      });
      res.end(text);
    };
    if (!entry || entry.socket.readyState !== entry.socket.OPEN)
      reply(410, { message: `connection ${connectionId} is gone` }, 'GoneException');
    else if (method === 'POST') {
      entry.socket.send(body.toString('utf8'));
      reply(200);
    } else if (method === 'DELETE') {
      entry.socket.close(1000);
      reply(204);
    } else if (method === 'GET')
      // API Gateway's own casing (its SDK reads these names; PascalCase came back empty).
      reply(200, {
        connectedAt: new Date(entry.connectedAt).toISOString(),
        lastActiveAt: new Date(entry.lastActiveAt).toISOString(),
        identity: { sourceIp: entry.sourceIp, userAgent: entry.userAgent },
      });
    else reply(403, { message: 'Missing Authentication Token' });
  }

  /** Closes every connection (each still gets its `$disconnect`). */
  async stop(): Promise<void> {
    for (const { socket } of this.open.values()) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
