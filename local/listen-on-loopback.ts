import type { AddressInfo, Server } from 'node:net';

/**
 * Every part of the local stack listens here: on 127.0.0.1, never every interface (nothing of it
 * is for other machines). Rejects when it cannot (a port in use), so a failed start stops the
 * parts already running instead of crashing past them. Resolves with the port.
 */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
