import type { ExecuteProgress } from '../../lambda/domain/execute-record';

/**
 * Keeps at most one progress write in flight and at most one per interval; the newest value
 * always wins, so the record ends on the last progress ComfyUI reported.
 */
export class ProgressWriter {
  private latest?: ExecuteProgress;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly write: (progress: ExecuteProgress) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  offer(progress: ExecuteProgress): void {
    if (this.stopped) return;
    this.latest = progress;
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const progress = this.latest;
    if (!progress || this.stopped) return;
    this.latest = undefined;
    this.lastWriteAt = Date.now();
    this.inFlight = this.inFlight.then(() => this.write(progress).then(() => undefined, this.onError));
  }

  /** Writes the newest value still waiting (so the record ends on it), then stops. */
  async stop(): Promise<void> {
    if (this.stopped) return this.inFlight;
    if (this.timer) clearTimeout(this.timer);
    this.flush();
    this.stopped = true;
    await this.inFlight;
  }
}
