import WebSocket from 'ws';

export interface ComfyMessage {
  type: string;
  data: Record<string, any>;
}

/**
 * ComfyUI's websocket as its script_examples follow it (websockets_api_example.py): open
 * `/ws?clientId=`, read JSON messages, stop at `executing` with `node: null` for the prompt.
 * The key goes in x-api-key, as on every /comfyui/ route.
 */
export async function comfySocket(url: string, key: string | undefined, clientId: string) {
  const target = new URL(url); // a browser token's URL already has a query (?token=)
  target.searchParams.set('clientId', clientId);
  const socket = new WebSocket(target, {
    headers: key ? { 'x-api-key': key } : {},
  });
  const messages: ComfyMessage[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data, binary) => {
    if (binary) return;
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) =>
      reject(
        Object.assign(new Error(`refused: ${response.statusCode}`), { statusCode: response.statusCode }),
      ),
    );
    socket.once('error', reject);
  });
  /** Waits until a message satisfies `found`; returns it. */
  async function until(found: (message: ComfyMessage) => boolean, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = messages.find(found);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such message in ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
  }
  return {
    socket,
    messages,
    until,
    /** Every message about one prompt, until ComfyUI's end of it (`executing` with `node: null`). */
    async followPrompt(promptId: string, timeoutMs?: number) {
      await until(
        (m) => m.type === 'executing' && m.data.node === null && m.data.prompt_id === promptId,
        timeoutMs,
      );
      return messages.filter((m) => m.data?.prompt_id === promptId);
    },
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
  };
}
