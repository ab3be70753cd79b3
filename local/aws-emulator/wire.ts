import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, closeIfBodyUnread, readBoundedBody } from '../bounded-body';

/** A JSON answer as AWS services send it: Content-Length, a request id, optional error type. */
export function sendAws(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** restJson1 errors name their type in a header (sagemaker-async.md §1.3). */
export function sendRestJsonError(res: ServerResponse, status: number, type: string, message: string): void {
  sendAws(res, status, { message }, { 'x-amzn-ErrorType': type });
}

/** awsJson1_1 errors name their type in the body's `__type`. */
export function sendJsonError(res: ServerResponse, status: number, type: string, message: string): void {
  sendAws(res, status, { __type: type, message });
}

/**
 * One cap for every service on the emulator's port, generous enough for all of their real limits
 * (SQS's 1 MiB message, JSON-escaped; Secrets Manager's 64 KB secret; the local InvokeEndpointAsync
 * body): 16 MB, DynamoDB's own request limit. The signature covers the body's hash, so the body
 * is read before any signature check: this is what bounds an unsigned caller.
 */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The request's body, or undefined once answered 413 past MAX_REQUEST_BYTES, in the caller's
 * protocol (restJson1 for InvokeEndpointAsync, awsJson otherwise); reading stops there.
 */
export async function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  protocol: 'restJson' | 'awsJson',
): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(req, MAX_REQUEST_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    closeIfBodyUnread(req, res);
    const message = `Request entity too large: the local AWS emulator takes at most ${MAX_REQUEST_BYTES} bytes.`;
    if (protocol === 'restJson') sendRestJsonError(res, 413, 'RequestEntityTooLargeException', message);
    else sendJsonError(res, 413, 'RequestEntityTooLargeException', message);
    return undefined;
  }
}
