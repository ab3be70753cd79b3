import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body over the limit its server takes: answer 413, as the AWS service would. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body over ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Whether the request's Content-Length already says it is over `limitBytes` (no need to read any of it). */
export function declaresBodyOver(req: IncomingMessage, limitBytes: number): boolean {
  const declared = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(declared) && declared > limitBytes;
}

/**
 * The request's whole body, or BodyTooLargeError as soon as its Content-Length, or the bytes
 * streamed so far (chunked), pass `limitBytes`. Reading stops there: the request is paused with
 * nothing listening, so the socket stops being read and the rest of the body is never held in
 * memory. Answer with `closeIfBodyUnread` so the connection closes rather than being drained.
 */
export function readBoundedBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (declaresBodyOver(req, limitBytes)) return Promise.reject(new BodyTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stopReading = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) return void chunks.push(chunk);
      stopReading();
      chunks.length = 0;
      reject(new BodyTooLargeError(limitBytes));
    };
    const onEnd = () => {
      stopReading();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error) => {
      stopReading();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Before answering a request whose body was not (all) read — a refusal: marks the answer
 * `Connection: close`. Otherwise Node's server, to keep the connection alive, would read and drop
 * whatever the client still sends, however much that is.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const bodyFollows =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (!bodyFollows || req.complete || res.headersSent) return;
  res.setHeader('Connection', 'close');
  lingerBeforeClosing(req);
}

/** After a refusal, how long and how much more of the body is read (and dropped) before closing. */
const LINGER_MS = 2000;
const LINGER_BYTES = 4 * 1024 * 1024;

/**
 * Closing a socket that still holds unread bytes makes the kernel answer with a reset, which can
 * reach the client before it has read the refusal: it then sees "connection reset" and never the
 * 413. Like nginx's lingering close, the answer is followed by our FIN, and what the client still
 * sends is dropped for a bounded time and amount, so it reads the answer and stops on its own.
 * Node's server closes a `Connection: close` socket through `destroySoon` once the answer is sent.
 */
function lingerBeforeClosing(req: IncomingMessage): void {
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(timer));
    let dropped = 0;
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) socket.destroy();
    });
    req.resume();
  };
}
