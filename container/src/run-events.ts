import type { ComfyEvent, ComfyUiClient } from './comfy-client';

/**
 * A run's websocket to ComfyUI and its log subscription, asked for as the invocation starts:
 * opening them costs a connection and an HTTP round trip each, which then overlap the claim's
 * write instead of following it. Nothing reaches ComfyUI's queue before the claim succeeds; a
 * run that is not claimed just closes the socket. What arrives before the run listens is kept
 * and handed over in order.
 */
export class RunEvents {
  private readonly kept: ComfyEvent[] = [];
  private listener?: (event: ComfyEvent) => void;
  private readonly socket: Promise<{ close(): void }>;
  /** Settles true once ComfyUI forwards this client's log lines (never throws). */
  readonly subscribed: Promise<boolean>;

  constructor(comfy: ComfyUiClient, clientId: string) {
    // Asked for before the socket opens: ComfyUI keeps a subscription whose socket is not open
    // yet until it next writes, long before the prompt's first node writes anything.
    this.subscribed = comfy.subscribeLogs(clientId);
    this.socket = comfy.openEvents(clientId, (event) => {
      if (this.listener) this.listener(event);
      else this.kept.push(event);
    });
    // A run never claimed never awaits the socket: its failure to open is not an unhandled one.
    this.socket.catch(() => undefined);
  }

  /** Resolves once the socket is open (or rejects as opening it did); `listener` gets every event. */
  async listen(listener: (event: ComfyEvent) => void): Promise<void> {
    await this.socket;
    this.listener = listener;
    for (const event of this.kept.splice(0)) listener(event);
  }

  /** Closes the socket (once it is open); never throws. */
  async close(): Promise<void> {
    await this.socket.then(
      (socket) => socket.close(),
      () => undefined,
    );
  }
}
