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
  if (bodyFollows && !req.complete && !res.headersSent) res.setHeader('Connection', 'close');
}
