import { RequestValidationError, TooManyRequestsError } from '../domain/errors';
import {
  CONNECTION_LIFETIME_SECONDS,
  type ConnectionStore,
  type SocketConnection,
  type SocketSender,
} from '../domain/notification-ports';
import type { Clock, IdGenerator } from '../domain/ports';
import { features } from './comfyui-introspection';

export interface SocketDeps {
  connections: ConnectionStore;
  sender: SocketSender;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Connections one key may hold open (comfy-exec:maxConnectionsPerKey): every message an execute
   * sends goes to each of its owner's connections. @default unlimited
   */
  maxConnectionsPerKey?: number;
}

/** ComfyUI takes any clientId; ours is a key in a table and a value in messages, so it has bounds. */
const CLIENT_ID = /^[\w.:@-]{1,128}$/;

/**
 * `$connect` of `/comfyui/ws?clientId=`: keeps the connection under its owner (the API key's id)
 * and ComfyUI's session id, the clientId given or, as ComfyUI does without one, a new hex id.
 * The greeting (`status` with `sid`) follows from the table's stream, once the connection is open.
 */
export async function openSocket(
  request: { connectionId: string; owner: string; clientId: string | undefined },
  deps: Pick<SocketDeps, 'connections' | 'clock' | 'ids' | 'maxConnectionsPerKey'>,
): Promise<SocketConnection> {
  const clientId = request.clientId || deps.ids.newId().replaceAll('-', '');
  if (!CLIENT_ID.test(clientId))
    throw new RequestValidationError('clientId must be 1 to 128 letters, digits or any of _ . : @ -');
  const now = deps.clock.now();
  const connection: SocketConnection = {
    connection_id: request.connectionId,
    owner: request.owner,
    client_id: clientId,
    connected_at: now.toISOString(),
    expires_at: Math.floor(now.getTime() / 1000) + CONNECTION_LIFETIME_SECONDS,
  };
  // Reserved, not counted: the place is taken in the connection's own write, so connects racing
  // at the cap cannot pass it.
  const cap = deps.maxConnectionsPerKey;
  if (!(await deps.connections.open(connection, cap)))
    throw new TooManyRequestsError(
      `this API key has ${cap} websocket connections open, the most this deployment allows (maxConnectionsPerKey); close one`,
    );
  return connection;
}

/** `$disconnect`: the connection's row goes. */
export async function closeSocket(connectionId: string, deps: Pick<SocketDeps, 'connections'>) {
  await deps.connections.remove(connectionId);
}

/**
 * A message from the client. ComfyUI reads one kind: `feature_flags`, answered with the server's
 * own; anything else (and anything unreadable) is ignored, as ComfyUI ignores it.
 */
export async function answerClientMessage(
  connectionId: string,
  body: string | undefined,
  deps: Pick<SocketDeps, 'sender'>,
): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(body ?? '');
  } catch {
    return;
  }
  if ((message as { type?: unknown } | null)?.type !== 'feature_flags') return;
  await deps.sender.send(connectionId, { type: 'feature_flags', data: features() });
}
