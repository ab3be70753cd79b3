import { type ComfySocketMessage, socketMessagesFor } from '../domain/comfyui/socket-messages';
import type { ExecuteRecord } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type { ConnectionStore, SocketConnection, SocketSender } from '../domain/notification-ports';
import type { ExecuteStore, PayloadStore } from '../domain/ports';
import { queueRemaining } from './comfyui-facade';
import { recordedOutputs } from './execute-view';

export interface RelayDeps {
  connections: ConnectionStore;
  sender: SocketSender;
  store: Pick<ExecuteStore, 'listByOwner' | 'get'>;
  /** Where outputs too large for the record are kept (its `outputs_location`), for `executed`. */
  payloads: Pick<PayloadStore, 'getText'>;
  /** How long to wait before asking a just-opened connection again. */
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends in order down one connection; a gone connection loses its row and stops the rest. */
async function sendAll(connection: SocketConnection, messages: ComfySocketMessage[], deps: RelayDeps) {
  for (const message of messages) {
    if (await deps.sender.send(connection.connection_id, message)) continue;
    await deps.connections.remove(connection.connection_id);
    return false;
  }
  return true;
}

/**
 * Where ComfyUI's worker puts the queue size: before a prompt's first messages when it takes it,
 * and at its end after the outcome, just before the closing `executing` with node null.
 */
function withQueueSize(own: ComfySocketMessage[], status: ComfySocketMessage, ending: boolean) {
  if (!ending) return [status, ...own];
  const last = own.at(-1);
  if (last?.type === 'executing' && last.data.node === null) return [...own.slice(0, -1), status, last];
  return [...own, status];
}

/** Whether ComfyUI would have told every client the queue size for this change. */
function queueChanged(before: ExecuteRecord | undefined, after: ExecuteRecord | undefined): boolean {
  if (!before) return after !== undefined;
  if (!after) return !isTerminal(before.status);
  return before.status !== after.status;
}

/**
 * One change of the executes table (a stream record's old and new image) told to the owner's
 * websockets as ComfyUI tells its clients: the prompt's own messages to the connections of its
 * `client_id` (to all of the owner's when it has none, as ComfyUI broadcasts then), and `status`
 * (the owner's queue size) to every connection of the owner: before a claim's messages, and at
 * a completion just before the closing `executing`, as ComfyUI's worker sends it.
 */
export async function relayExecuteChange(
  before: ExecuteRecord | undefined,
  after: ExecuteRecord | undefined,
  deps: RelayDeps,
): Promise<void> {
  const record = after ?? before;
  // Not an execute: the owners' unfinished counts share the table (unfinished-counter.ts).
  if (!record?.owner) return;
  let promptMessages = after ? socketMessagesFor(before, after) : [];
  const changesQueue = queueChanged(before, after);
  // Most writes (the invocation id, a repeated value) say nothing: no read for them.
  if (promptMessages.length === 0 && !changesQueue) return;
  const connections = await deps.connections.ofOwner(record.owner);
  if (connections.length === 0) return;
  // Outputs too large for the record are in its result object: read once someone listens, so
  // each output node still gets its `executed`.
  if (after && promptMessages.length > 0 && after.outputs == null && after.outputs_location) {
    const outputs = await recordedOutputs(after, deps.payloads);
    promptMessages = socketMessagesFor(before, { ...after, outputs });
  }
  const ending = after !== undefined && isTerminal(after.status);
  // Read while an ending's own messages go out: `execution_success` does not wait for the queue
  // size. An ending whose messages went out is not sent again for a failed read (the stream
  // would retry the batch whole): its size is left out, and the next change of the queue tells it.
  const statusRead = changesQueue
    ? queueRemaining(record.owner, deps).then(
        (remaining): ComfySocketMessage | undefined => ({ type: 'status', data: { status: remaining } }),
        (error: unknown) => {
          if (ending) return undefined;
          throw error;
        },
      )
    : undefined;
  statusRead?.catch(() => undefined);
  const clientId = record.prompt_params.client_id;
  await Promise.all(
    connections.map(async (connection) => {
      const own = !clientId || connection.client_id === clientId ? promptMessages : [];
      if (!statusRead) return own.length > 0 ? sendAll(connection, own, deps) : undefined;
      const ahead = ending ? ownBeforeQueueSize(own) : [];
      if (ahead.length > 0 && !(await sendAll(connection, ahead, deps))) return false;
      const status = await statusRead;
      const rest = own.slice(ahead.length);
      return sendAll(connection, status ? withQueueSize(rest, status, ending) : rest, deps);
    }),
  );
  await statusRead;
}

/** An ending's messages that come before the queue size (withQueueSize puts it after them). */
function ownBeforeQueueSize(own: ComfySocketMessage[]): ComfySocketMessage[] {
  const last = own.at(-1);
  return last?.type === 'executing' && last.data.node === null ? own.slice(0, -1) : own;
}

/** API Gateway may not have finished opening a connection its `$connect` row already names. */
const GREETING_ATTEMPTS = 5;
const GREETING_RETRY_MS = 200;

/**
 * A new connection (the connections table's stream): ComfyUI's greeting, `status` with the
 * queue size and `sid`, and, when one of its prompts is running, the node it runs.
 */
export async function greetConnection(connection: SocketConnection, deps: RelayDeps): Promise<void> {
  // A connection closed before its greeting came (its $disconnect removed the row) is neither
  // greeted nor waited for: a key opening and closing connections fast must not hold up, by the
  // retries below, the greetings of every key behind it on the stream.
  if (!(await deps.connections.isOpen(connection.connection_id))) return;
  const status = {
    type: 'status',
    data: { status: await queueRemaining(connection.owner, deps), sid: connection.client_id },
  };
  const messages: ComfySocketMessage[] = [status];
  const running = await deps.store.listByOwner({ owner: connection.owner, status: 'running', limit: 25 });
  for (const summary of running.records) {
    const record = await deps.store.get(summary.prompt_id);
    if (record?.prompt_params.client_id === connection.client_id && record.current_node) {
      messages.push({ type: 'executing', data: { node: record.current_node } });
      break;
    }
  }
  const sleep = deps.sleep ?? wait;
  for (let attempt = 1; attempt <= GREETING_ATTEMPTS; attempt++) {
    if (await deps.sender.send(connection.connection_id, messages[0]!)) {
      for (const message of messages.slice(1)) await deps.sender.send(connection.connection_id, message);
      return;
    }
    // Only a connection that just opened may still be opening; an older gone one is gone.
    const justOpened = Date.now() - Date.parse(connection.connected_at) < 10_000;
    if (attempt < GREETING_ATTEMPTS && justOpened) await sleep(GREETING_RETRY_MS * attempt);
    else break;
    if (!(await deps.connections.isOpen(connection.connection_id))) return;
  }
  await deps.connections.remove(connection.connection_id);
}
