import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { consoleSecurityHeaders } from '../console/security-headers';

const DIST = join(import.meta.dirname, '../console/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * The web console at `/console/` (outside the API's stage), as CloudFront serves it deployed:
 * the built files, `config.json` naming the API, and the same security headers. The API is on
 * this origin; output files come from s3rver on another local port.
 */
export function serveConsole(path: string, apiUrl: string, res: ServerResponse): void {
  const headers = consoleSecurityHeaders({ api: new URL(apiUrl).origin, files: 'http://127.0.0.1:*' });
  const send = (status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-cache',
      ...headers,
    });
    res.end(body);
  };
  const file = path.slice('/console/'.length) || 'index.html';
  const full = normalize(join(DIST, file));
  if (path === '/console') {
    res.writeHead(301, { Location: '/console/' });
    res.end();
  } else if (file === 'config.json') send(200, TYPES['.json']!, JSON.stringify({ apiUrl }));
  else if (!full.startsWith(`${DIST}/`) || !existsSync(full))
    send(
      404,
      'text/plain; charset=utf-8',
      existsSync(DIST) ? 'not found' : 'the console is not built: npm run build -w @comfy-exec/console',
    );
  else send(200, TYPES[extname(full)] ?? 'application/octet-stream', readFileSync(full));
}
