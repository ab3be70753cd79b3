import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isFetchableAddress, literalAddress } from '../domain/inputs/address-policy';
import { UrlFetchError } from '../domain/url-fetch-error';
import { pinnedLookup } from './pinned-lookup';

export { UrlFetchError };

/**
 * A URL for a message: origin and path, never the query (a CDN's signed redirect carries its
 * signature there, and messages reach logs and other readers).
 */
export const withoutQuery = (url: URL) => `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;

export interface CheckedGetOptions {
  signal: AbortSignal;
  /** The signal's time limit, for the message when it runs out. */
  timeoutMs: number;
  maxRedirects?: number;
  /** Local stack only: http:// and loopback addresses (test servers on this machine). */
  allowLoopback?: boolean;
  resolve?: (hostname: string) => Promise<string[]>;
  /** Headers for one hop: a token is only ever sent to the host it belongs to. */
  headersFor?: (url: URL) => Record<string, string>;
}

const systemResolve = async (hostname: string) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** The one address a hop connects to: checked here, then pinned, so DNS cannot change it between. */
async function checkedAddress(url: URL, options: CheckedGetOptions): Promise<string> {
  const literal = literalAddress(url.hostname);
  let addresses: string[];
  try {
    addresses = literal ? [literal] : await (options.resolve ?? systemResolve)(url.hostname);
  } catch {
    throw new UrlFetchError(`the host ${url.hostname} does not resolve`, 'refused');
  }
  const allowLoopback = options.allowLoopback === true;
  const blocked = addresses.find((address) => !isFetchableAddress(address, { allowLoopback }));
  if (addresses.length === 0 || blocked)
    throw new UrlFetchError(
      `${url.hostname} resolves to ${blocked ?? 'no address'}, which is not a public address`,
      'refused',
    );
  return addresses[0]!;
}

function request(url: URL, address: string, options: CheckedGetOptions): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  const headers = { 'user-agent': 'comfy-exec', ...options.headersFor?.(url) };
  return new Promise((resolve, reject) => {
    const outgoing = client.get(
      url,
      { lookup: pinnedLookup(address), signal: options.signal, headers },
      resolve,
    );
    outgoing.on('error', reject);
  });
}

/**
 * A GET of a URL a caller gave: https only, every hop's address checked and pinned (redirects
 * followed by hand, each re-checked), bounded by the caller's signal. Answers the final hop's
 * response, unread, whatever its status (2xx and 4xx alike: the caller judges), and its URL.
 */
export async function checkedGet(
  source: string,
  options: CheckedGetOptions,
): Promise<{ response: http.IncomingMessage; url: URL }> {
  let url = new URL(source);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && !(options.allowLoopback && url.protocol === 'http:'))
      throw new UrlFetchError(`only https:// URLs are fetched (${withoutQuery(url)})`, 'refused');
    const address = await checkedAddress(url, options);
    let response: http.IncomingMessage;
    try {
      response = await request(url, address, options);
    } catch (error) {
      throw new UrlFetchError(
        options.signal.aborted
          ? `${source} did not answer within ${options.timeoutMs} ms`
          : `${url.host} could not be reached: ${(error as Error).message}`,
        'unavailable',
      );
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 5))
        throw new UrlFetchError(`${source} redirects too often`, 'refused');
      url = new URL(response.headers.location, url);
      continue;
    }
    return { response, url };
  }
}
