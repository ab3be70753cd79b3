import { subscribe } from 'node:diagnostics_channel';
import http, { type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './listen-on-loopback';

// Every TCP client socket this process opens (Node publishes each one on this channel).
const ownClientSockets = new Set<Socket>();
subscribe('net.client.socket', (message) => {
  const { socket } = message as { socket: Socket };
  ownClientSockets.add(socket);
  socket.once('close', () => ownClientSockets.delete(socket));
});

/**
 * True when the peer of `incoming` is a socket of this very process. A connection's two address
 * and port pairs are unique on the machine, so only our own socket can match them. Checked once
 * a request arrives: by then the client has finished connecting and knows its peer.
 */
export function openedByThisProcess(incoming: Socket): boolean {
  for (const own of ownClientSockets)
    if (
      own.localPort === incoming.remotePort &&
      own.localAddress === incoming.remoteAddress &&
      own.remotePort === incoming.localPort &&
      own.remoteAddress === incoming.localAddress
    )
      return true;
  return false;
}

export interface InternalListener {
  /** `http://127.0.0.1:{port}`: reachable by this process alone. */
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that answers only requests this process sends, for a part that
 * must be reached through a front (raw s3rver answers anyone, signed or not). Any other process —
 * another user's included — gets 403 and a closed connection. A port alone protects nothing:
 * every user of the machine can reach loopback, and a random port is found by trying them all.
 */
export async function listenForThisProcessOnly(handler: RequestListener): Promise<InternalListener> {
  const server = http.createServer((req, res) => {
    if (openedByThisProcess(req.socket)) return handler(req, res);
    req.resume();
    res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
    res.end('this port answers only the local stack that opened it: use its front\n');
  });
  return {
    url: `http://127.0.0.1:${await listenOnLoopback(server)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
