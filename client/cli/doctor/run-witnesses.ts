import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

/**
 * What watches doctor's execute besides GetExecute, so that its run also proves the parts no
 * other check reaches: the ComfyUI websocket (`$connect` knowing the key's owner, the executes
 * table's stream feeding the relay) and webhooks (the stream's filtered second reader, the FIFO
 * queue, the delivery).
 */

interface ComfyMessage {
  type?: string;
  data?: { prompt_id?: string };
}

/** A websocket opened as a ComfyUI client opens it, keeping every message it is sent. */
export interface SocketWitness {
  clientId: string;
  /** Resolves with the message types seen for `promptId` once `execution_success` arrives, or undefined after `ms`. */
  successOf(promptId: string, ms: number): Promise<string[] | undefined>;
  close(): void;
}

export function openSocketWitness(websocketUrl: string, apiKey: string): Promise<SocketWitness> {
  const clientId = `comfy-exec-doctor-${crypto.randomUUID()}`;
  const url = `${websocketUrl}${websocketUrl.includes('?') ? '&' : '?'}clientId=${clientId}`;
  const socket = new WebSocket(url, { headers: { 'x-api-key': apiKey }, handshakeTimeout: 10_000 });
  const messages: ComfyMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    try {
      messages.push(JSON.parse(String(data)) as ComfyMessage);
    } catch {
      return; // binary previews: not ours to read
    }
    for (const listener of listeners) listener();
  });
  const typesFor = (promptId: string) =>
    messages.filter((m) => m.data?.prompt_id === promptId).map((m) => m.type ?? '?');
  const witness: SocketWitness = {
    clientId,
    successOf: (promptId, ms) =>
      new Promise((resolve) => {
        const settle = (value: string[] | undefined) => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(value);
        };
        const check = () => {
          if (typesFor(promptId).includes('execution_success')) settle(typesFor(promptId));
        };
        const timer = setTimeout(() => settle(undefined), ms);
        listeners.add(check);
        check();
      }),
    close: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.on('error', () => {});
      resolve(witness);
    });
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`the websocket refused the key (HTTP ${response.statusCode})`)),
    );
    socket.once('error', reject);
  });
}

/** One webhook request as the receiver saw it. */
export interface ReceivedWebhook {
  type: string | undefined;
  promptId: string | undefined;
  signed: boolean;
}

/**
 * A webhook receiver on 127.0.0.1, for a local stack only (a deployed stack refuses loopback
 * targets): answers 200 to every POST and keeps what it was sent.
 */
export async function startLocalReceiver() {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { type?: string; data?: { prompt_id?: string } } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // kept as an unreadable delivery
      }
      received.push({
        type: body.type,
        promptId: body.data?.prompt_id,
        signed: typeof request.headers['webhook-signature'] === 'string',
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/comfy-exec-doctor`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** True when the API is a local stack (`npm start`): its webhooks may target loopback. */
export function isLocalApi(apiUrl: string): boolean {
  const host = new URL(apiUrl).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/**
 * Whether the key may go to the websocket GET /about names: never over plain `ws://` when the API
 * itself is `https://` (a deployed stack's websocket is `wss://`; only a local stack is plain).
 */
export function keySafeOver(apiUrl: string, websocketUrl: string): boolean {
  return !(new URL(apiUrl).protocol === 'https:' && new URL(websocketUrl).protocol !== 'wss:');
}
