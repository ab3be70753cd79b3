import http from 'node:http';

export const MB = 1024 * 1024;

/** What became of a body streamed at a server: its answer, and how much of the body it took. */
export interface StreamOutcome {
  status: number | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes the client managed to hand over before the connection went away. */
  sent: number;
  /** Whether every byte was written and the request ended (the server read the whole body). */
  wroteAll: boolean;
}

/**
 * Sends `totalBytes` of generated zeros to `url` (chunked, or with that Content-Length when
 * `declareLength`), writing only as fast as the server reads: each write past the socket's buffer
 * waits for 'drain'. Settles once the connection is gone and any answer has been read. A server
 * that stops reading and closes leaves `sent` short of `totalBytes` by far more than the kernel's
 * buffers hold; one that reads everything lets the client write it all.
 */
export function streamBody(
  url: string,
  totalBytes: number,
  options: { method?: string; headers?: Record<string, string>; declareLength?: boolean } = {},
): Promise<StreamOutcome> {
  const target = new URL(url);
  const framing = options.declareLength
    ? { 'content-length': String(totalBytes) }
    : { 'transfer-encoding': 'chunked' };
  const req = http.request({
    host: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: options.method ?? 'POST',
    headers: { ...framing, ...options.headers },
  });
  const outcome: StreamOutcome = { status: undefined, body: '', headers: {}, sent: 0, wroteAll: false };
  const chunk = Buffer.alloc(64 * 1024);
  let gone = false;
  return new Promise((resolve) => {
    let pending = 1; // the request's close, and the answer's once one arrives
    const settle = () => {
      pending -= 1;
      if (pending === 0) resolve(outcome);
    };
    req.on('response', (res) => {
      pending += 1;
      Object.assign(outcome, { status: res.statusCode, headers: res.headers });
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        outcome.body += text;
      });
      res.on('close', settle);
    });
    req.on('error', () => {
      gone = true;
    });
    req.on('close', () => {
      gone = true;
      settle();
    });
    const pump = () => {
      while (!gone && outcome.sent < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - outcome.sent));
        outcome.sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (gone) return;
      outcome.wroteAll = true;
      req.end();
    };
    pump();
  });
}
