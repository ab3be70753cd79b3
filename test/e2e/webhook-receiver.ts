import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A webhook receiver on this machine: records every POST, and answers each with what `answer`
 * says (a status, or `hang` to never answer, as a receiver that is down behind a proxy).
 */
export async function startReceiver(
  answer: (received: Received, count: number) => number | 'hang' = () => 200,
) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const entry = { headers: req.headers, body, at: Date.now() };
      received.push(entry);
      const status = answer(entry, received.length);
      if (status === 'hang') return;
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    async until(count: number, timeoutMs = 20_000) {
      for (const deadline = Date.now() + timeoutMs; received.length < count; ) {
        if (Date.now() > deadline) throw new Error(`received ${received.length} of ${count} deliveries`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
