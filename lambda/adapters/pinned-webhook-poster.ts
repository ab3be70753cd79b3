import http from 'node:http';
import https from 'node:https';
import type { WebhookPoster } from '../domain/notification-ports';
import { pinnedLookup } from './pinned-lookup';

/** What of a receiver's answer is read (then dropped): enough to free the connection, no more. */
const ANSWER_CAP_BYTES = 64 * 1024;

/**
 * POSTs to the address the host check approved (Node's http/https with a pinned lookup: the URL's
 * name still serves TLS's SNI and certificate check, and the Host header). Redirects are not
 * followed (a 3xx is a failed delivery, never a hop to an address nobody checked), the whole
 * exchange is bounded by `timeoutMs`, and the answer is read up to a small cap and ignored.
 */
export class PinnedWebhookPoster implements WebhookPoster {
  constructor(private readonly timeoutMs: number) {}

  post(url: string, headers: Record<string, string>, body: string, address: string) {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<{ status?: number; error?: string }>((resolve) => {
      const request = client.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: pinnedLookup(address),
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (response) => {
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > ANSWER_CAP_BYTES) response.destroy();
          });
          const done = () => resolve({ status: response.statusCode });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        },
      );
      request.on('error', (error: Error & { code?: string }) =>
        resolve({
          error:
            error.name === 'AbortError' || error.name === 'TimeoutError'
              ? `no answer within ${this.timeoutMs} ms`
              : `could not reach the receiver: ${error.code ?? error.message}`,
        }),
      );
      request.end(body);
    });
  }
}
