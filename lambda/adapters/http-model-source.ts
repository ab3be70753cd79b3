import type http from 'node:http';
import type { ModelSource, SourceProbe } from '../domain/models/model-import';
import { checkedGet, UrlFetchError } from './checked-get';

/** A host's token for gated models (Hugging Face, Civitai), or undefined. */
export interface SourceTokens {
  tokenFor(host: string): Promise<string | undefined>;
}

export interface HttpModelSourceOptions {
  /** Each request's time limit: the probe, or one part's whole download. */
  timeoutMs: number;
  /** Local stack only: http:// and loopback servers on this machine. */
  allowLoopback?: boolean;
  resolve?: (hostname: string) => Promise<string[]>;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

function refusedStatus(url: URL, status: number, host: string): UrlFetchError {
  const gated =
    status === 401 || status === 403
      ? `; a gated model needs a token: store it in Secrets Manager as the deployment's model-source secret for ${host}`
      : '';
  return new UrlFetchError(
    `${url.toString()} answered HTTP ${status}${gated}`,
    status >= 500 || status === 429 ? 'unavailable' : 'refused',
  );
}

/** Reads exactly `expected` bytes of a body (more, or fewer, is a failure). */
async function readExactly(response: http.IncomingMessage, expected: number, what: string) {
  const body = new Uint8Array(expected);
  let filled = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (filled + chunk.length > expected) {
      response.destroy();
      throw new UrlFetchError(`${what} sent more than the ${expected} bytes asked for`, 'unavailable');
    }
    body.set(chunk, filled);
    filled += chunk.length;
  }
  if (filled !== expected)
    throw new UrlFetchError(`${what} broke off after ${filled} of ${expected} bytes`, 'unavailable');
  return body;
}

/**
 * A model's source URL over HTTPS, as URL inputs are fetched (checkedGet: every hop's address
 * public, pinned, re-checked on redirects). A host's token goes only to that host: Hugging Face
 * and Civitai redirect to a CDN with a signed URL, which must never see it.
 */
export class HttpModelSource implements ModelSource {
  constructor(
    private readonly tokens: SourceTokens,
    private readonly options: HttpModelSourceOptions,
  ) {}

  private async get(source: string, range: string) {
    const host = new URL(source).hostname.toLowerCase();
    const token = await this.tokens.tokenFor(host);
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await checkedGet(source, {
        ...this.options,
        signal,
        headersFor: (url) => ({
          range,
          ...(token && url.hostname.toLowerCase() === host ? { authorization: `Bearer ${token}` } : {}),
        }),
      });
    } catch (error) {
      if (error instanceof UrlFetchError) throw error;
      throw new UrlFetchError(`${source}: ${(error as Error).message}`, 'unavailable');
    }
  }

  async probe(source: string): Promise<SourceProbe> {
    const { response, url } = await this.get(source, 'bytes=0-0');
    response.resume();
    const status = response.statusCode ?? 0;
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    if (status === 206) {
      const total = CONTENT_RANGE.exec(String(response.headers['content-range'] ?? ''))?.[3];
      if (total === undefined)
        throw new UrlFetchError(`${url.toString()} answered a range without its total size`, 'refused');
      return { size: Number(total), etag, ranges: true };
    }
    if (status === 200) {
      const length = Number(response.headers['content-length']);
      if (!Number.isSafeInteger(length))
        throw new UrlFetchError(`${url.toString()} does not say how large the file is`, 'refused');
      return { size: length, etag, ranges: false };
    }
    if (status === 416) throw new UrlFetchError(`${url.toString()} is an empty file`, 'refused');
    throw refusedStatus(url, status, new URL(source).hostname);
  }

  async readRange(
    source: string,
    first: number,
    last: number,
    expect: { size: number; etag: string | null },
  ) {
    const { response, url } = await this.get(source, `bytes=${first}-${last}`);
    const status = response.statusCode ?? 0;
    const whole = status === 200 && first === 0 && last === expect.size - 1;
    if (status !== 206 && !whole) {
      response.resume();
      if (status === 200)
        throw new UrlFetchError(`${url.toString()} stopped answering byte ranges`, 'refused');
      throw refusedStatus(url, status, new URL(source).hostname);
    }
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    const range = CONTENT_RANGE.exec(String(response.headers['content-range'] ?? ''));
    const changed =
      (expect.etag !== null && etag !== null && etag !== expect.etag) ||
      (status === 206 &&
        (!range ||
          Number(range[3]) !== expect.size ||
          Number(range[1]) !== first ||
          Number(range[2]) !== last));
    if (changed) {
      response.destroy();
      throw new UrlFetchError(
        `${source} changed during the import (its size or ETag is not what it was when the import started)`,
        'refused',
      );
    }
    return readExactly(response, last - first + 1, url.host);
  }
}
