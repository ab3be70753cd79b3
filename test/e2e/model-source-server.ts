import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a source server saw: what a test checks of tokens and ranges. */
export interface SeenRequest {
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface ServedFile {
  bytes: Buffer;
  /** Serve 200 with the whole file, ignoring Range (a server without byte ranges). */
  noRanges?: boolean;
  /** Answer 401 unless this bearer token is sent. */
  token?: string;
  /** The ETag answered; a function may change it between requests (a file replaced meanwhile). */
  etag?: string | (() => string);
  /** Answer every request with this status (a CDN refusing a signed URL, say). */
  status?: number;
  /** Leave the ETag out of ranged answers (a server that gave one to the probe only). */
  noEtagOnParts?: boolean;
  /** Held until the promise settles: a request whose range starts at `at`. */
  holdRangeFrom?: { at: number; until: Promise<void> };
}

/**
 * A model host on this machine, shaped like Hugging Face's: `/redirect/{name}` answers 302 to the
 * same file on the CDN server (another host: 127.0.0.2 rather than 127.0.0.1), and files
 * answer byte ranges with 206 and Content-Range.
 */
export class ModelSourceServer {
  readonly seen: SeenRequest[] = [];
  private readonly files = new Map<string, ServedFile>();
  private server?: Server;
  /** Where a redirect sends a client (set to the CDN's base URL). */
  redirectBase = '';
  base = '';

  serve(name: string, file: ServedFile) {
    this.files.set(name, file);
  }

  async start(host: string): Promise<string> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.base = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  stop() {
    this.server?.closeAllConnections();
    return new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0]!;
    this.seen.push({ path, range: req.headers.range, authorization: req.headers.authorization });
    if (path.startsWith('/redirect/')) {
      // The origin checks the token before it signs a CDN URL, as Hugging Face's resolve/ does.
      const token = this.files.get(path.slice('/redirect/'.length))?.token;
      if (token && req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401);
        return res.end('a token is needed');
      }
      res.writeHead(302, {
        location: `${this.redirectBase}/${path.slice('/redirect/'.length)}?X-Sig=signed`,
      });
      return res.end();
    }
    const file = this.files.get(path.slice(1));
    if (!file) {
      res.writeHead(404);
      return res.end('not found');
    }
    if (file.status) {
      res.writeHead(file.status);
      return res.end('refused');
    }
    if (file.token && req.headers.authorization !== `Bearer ${file.token}`) {
      res.writeHead(401);
      return res.end('a token is needed');
    }
    const etag = typeof file.etag === 'function' ? file.etag() : (file.etag ?? '"v1"');
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!range || file.noRanges) {
      res.writeHead(200, { 'content-length': file.bytes.length, etag });
      return res.end(file.bytes);
    }
    const first = Number(range[1]);
    const last = Math.min(Number(range[2]), file.bytes.length - 1);
    if (file.holdRangeFrom && file.holdRangeFrom.at === first) await file.holdRangeFrom.until;
    res.writeHead(206, {
      'content-length': last - first + 1,
      'content-range': `bytes ${first}-${last}/${file.bytes.length}`,
      ...(file.noEtagOnParts && first > 0 ? {} : { etag }),
    });
    res.end(file.bytes.subarray(first, last + 1));
  }
}
