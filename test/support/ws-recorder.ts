import WebSocket from 'ws';

/** A websocket client that keeps every JSON frame, for asserting ComfyUI's event sequence. */
export class WsRecorder {
  readonly events: { type: string; data: any }[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.events.push(JSON.parse(String(data)));
    });
  }

  static async open(baseUrl: string, clientId: string): Promise<WsRecorder> {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?clientId=${clientId}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new WsRecorder(ws);
  }

  async waitFor(predicate: (event: { type: string; data: any }) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching event in ${timeoutMs} ms: ${JSON.stringify(this.events.map((e) => e.type))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close() {
    this.ws.close();
  }
}
