import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exactJsonText } from '../../lambda/domain/exact-json';
import { CALLER_TOKEN_HEADER, carriesCallerToken } from './caller-token';
import type { InvocationAnswer } from './invocation-result';

export interface ContainerHandlers {
  /** True when ComfyUI is healthy; must settle well within SageMaker's 2 s probe timeout. */
  healthy(): Promise<boolean>;
  invoke(body: string): Promise<InvocationAnswer>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  // SageMaker requires Content-Length on every response (no chunked transfer).
  // exactJsonText: ComfyUI's errors may quote a 64-bit integer the prompt held (a BigInt).
  const text = body === undefined ? '' : exactJsonText(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What only the local stack sets (LISTEN_HOST and LOCAL_CALLER_TOKEN in the container's config). */
export interface ContainerServerSettings {
  /** When set, every request must carry it in CALLER_TOKEN_HEADER, or gets 403. */
  callerToken?: string;
}

/** SageMaker's container contract: GET /ping and POST /invocations (sagemaker-async.md §5). */
export function createContainerServer(
  handlers: ContainerHandlers,
  settings: ContainerServerSettings = {},
): Server {
  const afterAnswers = new PendingWork();
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (settings.callerToken !== undefined && !carriesCallerToken(req, settings.callerToken)) {
        req.resume();
        return send(res, 403, { message: `this container answers only its caller (${CALLER_TOKEN_HEADER})` });
      }
      if (req.method === 'GET' && path === '/ping')
        return send(res, (await handlers.healthy()) ? 200 : 503, {});
      if (req.method === 'POST' && path === '/invocations') {
        const answer = await handlers.invoke(await readBody(req));
        if (answer.afterAnswer) afterAnswers.track(answer.afterAnswer);
        return send(res, answer.httpStatus, answer.result);
      }
      send(res, 404, { message: `no route ${req.method} ${path}` });
    } catch (error) {
      send(res, 500, {
        status: 'failed',
        message: (error as Error).message,
        error: { type: 'container_error' },
      });
    }
  });
  pendingWork.set(server, afterAnswers);
  return server;
}

/** Promises still running after their answer was sent: a stop waits for them. */
class PendingWork {
  private readonly running = new Set<Promise<void>>();

  track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  settled(): Promise<unknown> {
    return Promise.allSettled([...this.running]);
  }
}

const pendingWork = new WeakMap<Server, PendingWork>();

/**
 * Stops `server` as a stopped container should: new connections are refused at once (so /ping
 * fails), requests already running may finish for up to `graceMs` — an invocation whose ComfyUI
 * just died answers its 502 within seconds, so SageMaker records why it failed — then every
 * connection is closed. Idempotent: the entrypoint may pass SIGTERM on twice.
 */
export function gracefulStop(server: Server): (graceMs: number) => Promise<void> {
  const running = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    running.add(res);
    res.on('close', () => running.delete(res));
  });
  let stopping: Promise<void> | undefined;
  const stop = async (graceMs: number) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    server.closeAllConnections();
    // An answered run's record write (milliseconds; never more than the SDK's own timeouts).
    await pendingWork.get(server)?.settled();
    await closed;
  };
  return (graceMs) => {
    stopping ??= stop(graceMs);
    return stopping;
  };
}

/** On every interface by default: SageMaker calls the container from outside it. */
export async function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return (server.address() as AddressInfo).port;
}

/** /ping's view of ComfyUI: probed at most once per `ttlMs`, each probe bounded by `timeoutMs`. */
export function cachedHealth(
  probe: (timeoutMs: number) => Promise<boolean>,
  ttlMs = 1000,
  timeoutMs = 1500,
): () => Promise<boolean> {
  let last = { at: Number.NEGATIVE_INFINITY, healthy: false };
  let inFlight: Promise<boolean> | undefined;
  return async () => {
    if (Date.now() - last.at < ttlMs) return last.healthy;
    inFlight ??= probe(timeoutMs).then((healthy) => {
      last = { at: Date.now(), healthy };
      inFlight = undefined;
      return healthy;
    });
    return inFlight;
  };
}
