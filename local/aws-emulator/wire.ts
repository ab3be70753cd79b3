import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

export function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
