import type { WebhookPoster } from '../domain/notification-ports';

/** What of a receiver's answer is read (then dropped): enough to free the connection, no more. */
const ANSWER_CAP_BYTES = 64 * 1024;

/**
 * POSTs with the runtime's fetch: redirects are not followed (a 3xx is a failed delivery, never a
 * hop to an address nobody checked), the whole exchange is bounded by `timeoutMs`, and the answer
 * is read up to a small cap and ignored.
 */
export class FetchWebhookPoster implements WebhookPoster {
  constructor(private readonly timeoutMs: number) {}

  async post(url: string, headers: Record<string, string>, body: string) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await drain(response);
      return { status: response.status };
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : undefined;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        error:
          reason ??
          `could not reach the receiver: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      };
    }
  }
}

async function drain(response: Response) {
  const reader = response.body?.getReader();
  if (!reader) return;
  let read = 0;
  while (read < ANSWER_CAP_BYTES) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
  }
  await reader.cancel();
}
