import type { ExecuteProgress } from '../../lambda/domain/execute-record';

/**
 * Keeps at most one write in flight and at most one per interval; the newest value always wins
 * (or is merged into the one still waiting, when the writer merges), so the record ends on the
 * last value ComfyUI reported.
 */
export class ProgressWriter<T = ExecuteProgress> {
  private latest?: T;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly write: (value: T) => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** How a new value joins one not yet written; by default it replaces it. */
    private readonly merge: (waiting: T, next: T) => T = (_waiting, next) => next,
  ) {}

  offer(value: T): void {
    if (this.stopped) return;
    this.latest = this.latest === undefined ? value : this.merge(this.latest, value);
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const value = this.latest;
    if (value === undefined || this.stopped) return;
    this.latest = undefined;
    this.lastWriteAt = Date.now();
    this.inFlight = this.inFlight.then(() => this.write(value).then(() => undefined, this.onError));
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
