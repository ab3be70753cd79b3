import { lookup as dnsLookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pinnedLookup } from '../../lambda/adapters/pinned-lookup';
import { isFetchableAddress, literalAddress } from '../../lambda/domain/inputs/address-policy';

/** Why a URL input could not be fetched: `refused` is the client's doing, `unavailable` the server's. */
export class InputFetchError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'unavailable',
  ) {
    super(message);
  }
}

export interface UrlFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** Local stack only: http:// and loopback addresses (test servers on this machine). */
  allowLoopback?: boolean;
  resolve?: (hostname: string) => Promise<string[]>;
}

const systemResolve = async (hostname: string) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** The one address every hop connects to: checked here, then pinned, so DNS cannot change it between. */
async function checkedAddress(url: URL, options: UrlFetchOptions): Promise<string> {
  const literal = literalAddress(url.hostname);
  let addresses: string[];
  try {
    addresses = literal ? [literal] : await (options.resolve ?? systemResolve)(url.hostname);
  } catch {
    throw new InputFetchError(`the host ${url.hostname} does not resolve`, 'refused');
  }
  const allowLoopback = options.allowLoopback === true;
  const blocked = addresses.find((address) => !isFetchableAddress(address, { allowLoopback }));
  if (addresses.length === 0 || blocked)
    throw new InputFetchError(
      `${url.hostname} resolves to ${blocked ?? 'no address'}, which is not a public address`,
      'refused',
    );
  return addresses[0]!;
}

function request(url: URL, address: string, signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.get(
      url,
      { lookup: pinnedLookup(address), signal, headers: { 'user-agent': 'comfy-exec' } },
      resolve,
    );
    outgoing.on('error', reject);
  });
}

/** Counts bytes through and fails past the limit (a server may send more than it announced). */
function sizeLimit(maxBytes: number, url: string): { stream: Transform; bytes: () => number } {
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new InputFetchError(`${url} is larger than ${maxBytes} bytes`, 'refused'));
      else done(null, chunk);
    },
  });
  return { stream, bytes: () => seen };
}

/**
 * Downloads an input URL to `destination`: https only, every hop's address checked (and
 * redirects followed by hand, each re-checked), a size cap and an overall time limit. Returns the
 * server's content type.
 */
export async function fetchInputUrl(
  source: string,
  destination: string,
  options: UrlFetchOptions,
): Promise<{ contentType?: string; bytes: number }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(source);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && !(options.allowLoopback && url.protocol === 'http:'))
      throw new InputFetchError(`only https:// URLs are fetched (${url.toString()})`, 'refused');
    const address = await checkedAddress(url, options);
    let response: http.IncomingMessage;
    try {
      response = await request(url, address, signal);
    } catch (error) {
      throw new InputFetchError(
        signal.aborted
          ? `${source} did not answer within ${options.timeoutMs} ms`
          : `${url.host} could not be reached: ${(error as Error).message}`,
        'unavailable',
      );
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 5))
        throw new InputFetchError(`${source} redirects too often`, 'refused');
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new InputFetchError(
        `${url.toString()} answered HTTP ${status}`,
        status >= 500 ? 'unavailable' : 'refused',
      );
    }
    const announced = Number(response.headers['content-length']);
    if (Number.isFinite(announced) && announced > options.maxBytes) {
      response.destroy();
      throw new InputFetchError(
        `${url.toString()} is ${announced} bytes, over the limit of ${options.maxBytes}`,
        'refused',
      );
    }
    const limit = sizeLimit(options.maxBytes, url.toString());
    try {
      await pipeline(response, limit.stream, createWriteStream(destination));
    } catch (error) {
      if (error instanceof InputFetchError) throw error;
      throw new InputFetchError(
        signal.aborted
          ? `${source} did not finish within ${options.timeoutMs} ms`
          : `${source} broke off: ${(error as Error).message}`,
        'unavailable',
      );
    }
    const contentType = response.headers['content-type'];
    return { ...(contentType ? { contentType } : {}), bytes: limit.bytes() };
  }
}
