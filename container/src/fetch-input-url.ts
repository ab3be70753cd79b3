import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkedGet, UrlFetchError, withoutQuery } from '../../lambda/adapters/checked-get';

/** Why a URL input could not be fetched: `refused` is the client's doing, `unavailable` the server's. */
export { UrlFetchError as InputFetchError };

export interface UrlFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** Local stack only: http:// and loopback addresses (test servers on this machine). */
  allowLoopback?: boolean;
  resolve?: (hostname: string) => Promise<string[]>;
}

/** Counts bytes through and fails past the limit (a server may send more than it announced). */
function sizeLimit(maxBytes: number, url: string): { stream: Transform; bytes: () => number } {
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new UrlFetchError(`${url} is larger than ${maxBytes} bytes`, 'refused'));
      else done(null, chunk);
    },
  });
  return { stream, bytes: () => seen };
}

/**
 * Downloads an input URL to `destination`: https only, every hop's address checked (checkedGet),
 * a size cap and an overall time limit. Returns the server's content type.
 */
export async function fetchInputUrl(
  source: string,
  destination: string,
  options: UrlFetchOptions,
): Promise<{ contentType?: string; bytes: number }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const { response, url } = await checkedGet(source, { ...options, signal });
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    response.resume();
    throw new UrlFetchError(
      `${withoutQuery(url)} answered HTTP ${status}`,
      status >= 500 ? 'unavailable' : 'refused',
    );
  }
  const announced = Number(response.headers['content-length']);
  if (Number.isFinite(announced) && announced > options.maxBytes) {
    response.destroy();
    throw new UrlFetchError(
      `${withoutQuery(url)} is ${announced} bytes, over the limit of ${options.maxBytes}`,
      'refused',
    );
  }
  const limit = sizeLimit(options.maxBytes, withoutQuery(url));
  try {
    await pipeline(response, limit.stream, createWriteStream(destination));
  } catch (error) {
    if (error instanceof UrlFetchError) throw error;
    throw new UrlFetchError(
      signal.aborted
        ? `${source} did not finish within ${options.timeoutMs} ms`
        : `${source} broke off: ${(error as Error).message}`,
      'unavailable',
    );
  }
  const contentType = response.headers['content-type'];
  return { ...(contentType ? { contentType } : {}), bytes: limit.bytes() };
}
