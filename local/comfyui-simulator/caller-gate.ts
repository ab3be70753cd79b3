import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { carriesCallerToken } from '../../container/src/caller-token';

/**
 * Whether the simulator may answer this request: always, unless it was given a caller token (as
 * `npm start` gives it, with the container as its one caller). Any user of the machine can reach
 * loopback, and the simulator's /view, /history and /prompt hold every key's files and prompts.
 */
export function fromCaller(req: IncomingMessage, callerToken: string | undefined): boolean {
  return callerToken === undefined || carriesCallerToken(req, callerToken);
}

export const NOT_THE_CALLER = "this ComfyUI simulator answers only the local stack's endpoint container";

/** A websocket upgrade from anyone else: 403 and closed, before any message. */
export function refuseUpgrade(socket: Duplex): void {
  socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
