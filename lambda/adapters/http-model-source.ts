import type http from 'node:http';
import type { ModelSource, SourceProbe } from '../domain/models/model-import';
import { checkedGet, UrlFetchError, withoutQuery } from './checked-get';

/** A host's token for gated models (Hugging Face, Civitai), or undefined; `secretName` says where it goes. */
export interface SourceTokens {
  tokenFor(host: string): Promise<string | undefined>;
  secretName(host: string): string;
}

export interface HttpModelSourceOptions {
  /** Each request's time limit: the probe, or one part's whole download. */
  timeoutMs: number;
  /** Local stack only: http:// and loopback servers on this machine. */
  allowLoopback?: boolean;
  resolve?: (hostname: string) => Promise<string[]>;
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;
/** A DNS name a secret can be named after (an IP literal or anything odder gets no token). */
const TOKEN_HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * What a source's token is filed under: its host, and its port when the URL names one
 * (`127.0.0.1_8765`): a writer cannot send huggingface.co's token to another service of that host
 * by naming a port.
 */
const tokenName = (source: URL) => (source.port ? `${source.hostname}_${source.port}` : source.hostname);

/**
 * A refusal, naming the host that answered (never a signed URL's query: the answer is shown to
 * every key) and, for a 401 or 403, where that host's token goes, or that a redirect took the
 * request to a host the token is not sent to.
 */
function refusedStatus(url: URL, status: number, source: URL, tokens: SourceTokens): UrlFetchError {
  let gated = '';
  const where = shown(url, source);
  if ((status === 401 || status === 403) && url.origin === source.origin)
    gated = `; a gated model needs a token: store it in Secrets Manager as ${tokens.secretName(tokenName(source))}`;
  else if (status === 401 || status === 403)
    gated = `, after a redirect from ${source.host}: a token is only ever sent to ${source.origin}`;
  return new UrlFetchError(
    `${where} answered HTTP ${status}${gated}`,
    status >= 500 || status === 429 ? 'unavailable' : 'refused',
  );
}

/**
 * A hop for a message: the source's own origin with its path (the writer's own URL), another origin
 * (a redirect's target) by its origin alone: a CDN may sign the path too.
 */
const shown = (url: URL, source: URL) =>
  url.origin === source.origin ? withoutQuery(url) : `${url.origin}/…`;

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
 * public, pinned, re-checked on redirects). A host's token goes only to that origin (scheme, host
 * and port): Hugging Face and Civitai redirect to a CDN with a signed URL, which must never see it.
 */
export class HttpModelSource implements ModelSource {
  constructor(
    private readonly tokens: SourceTokens,
    private readonly options: HttpModelSourceOptions,
  ) {}

  private async get(source: URL, range: string) {
    const token = TOKEN_HOST.test(source.hostname)
      ? await this.tokens.tokenFor(tokenName(source))
      : undefined;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await checkedGet(source.href, {
        ...this.options,
        signal,
        headersFor: (url) => ({
          range,
          ...(token && url.origin === source.origin ? { authorization: `Bearer ${token}` } : {}),
        }),
      });
    } catch (error) {
      if (error instanceof UrlFetchError) throw error;
      throw new UrlFetchError(`${withoutQuery(source)}: ${(error as Error).message}`, 'unavailable');
    }
  }

  async probe(text: string): Promise<SourceProbe> {
    const source = new URL(text);
    const { response, url } = await this.get(source, 'bytes=0-0');
    response.resume();
    const status = response.statusCode ?? 0;
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    if (status === 206) {
      const total = CONTENT_RANGE.exec(String(response.headers['content-range'] ?? ''))?.[3];
      if (total === undefined)
        throw new UrlFetchError(`${shown(url, source)} answered a range without its total size`, 'refused');
      return { size: Number(total), etag, ranges: true };
    }
    if (status === 200) {
      const length = Number(response.headers['content-length']);
      if (!Number.isSafeInteger(length))
        throw new UrlFetchError(`${shown(url, source)} does not say how large the file is`, 'refused');
      return { size: length, etag, ranges: false };
    }
    if (status === 416) throw new UrlFetchError(`${shown(url, source)} is an empty file`, 'refused');
    throw refusedStatus(url, status, source, this.tokens);
  }

  async readRange(text: string, first: number, last: number, expect: { size: number; etag: string | null }) {
    const source = new URL(text);
    const { response, url } = await this.get(source, `bytes=${first}-${last}`);
    const status = response.statusCode ?? 0;
    const whole = status === 200 && first === 0 && last === expect.size - 1;
    if (status !== 206 && !whole) {
      response.resume();
      if (status === 200)
        throw new UrlFetchError(`${withoutQuery(url)} stopped answering byte ranges`, 'refused');
      throw refusedStatus(url, status, source, this.tokens);
    }
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    const range = CONTENT_RANGE.exec(String(response.headers['content-range'] ?? ''));
    // The probe's ETag must come back on every part (a part without one cannot prove it is the same file).
    const changed =
      (expect.etag !== null && etag !== expect.etag) ||
      (status === 206 &&
        (!range ||
          Number(range[3]) !== expect.size ||
          Number(range[1]) !== first ||
          Number(range[2]) !== last));
    if (changed) {
      response.destroy();
      throw new UrlFetchError(
        `${withoutQuery(source)} changed during the import (its size or ETag is not what it was when the import started)`,
        'refused',
      );
    }
    return readExactly(response, last - first + 1, url.host);
  }
}
