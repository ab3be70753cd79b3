/** One write ComfyUI's terminal made, as its `logs` websocket message carries it (app/logger.py). */
export interface ComfyLogEntry {
  /** Python's `datetime.now().isoformat()`: the instance's local time, no zone. */
  t: string;
  /** What was written: a whole line with its `\n`, several lines, or a `\r` progress redraw. */
  m: string;
}

export interface LogLineLimits {
  /** Lines forwarded per prompt; the rest are counted and said once. */
  maxLines: number;
  /** Longer lines are cut here (a custom node printing a tensor, a base64 image). */
  maxLineChars: number;
}

export const DEFAULT_LOG_LINE_LIMITS: LogLineLimits = { maxLines: 500, maxLineChars: 2000 };

export type ComfyLineLevel = 'info' | 'error';

/**
 * The writes execution.py makes with logging.error: a node's exception, its traceback and the OOM
 * notice. The terminal carries no level, so these are known by their first words.
 */
const ERROR_WRITE =
  /^(!!! Exception during processing !!! |Traceback \(most recent call last\):|Got an OOM, unloading)/;

/**
 * Turns ComfyUI's terminal writes into whole lines: `\n` ends a line, `\r` starts the line again
 * (tqdm redraws its bar that way, so a 20-step bar becomes its last state, not 20 lines), and a
 * prompt's output is bounded so that no node can flood the log group.
 */
export class ComfyLogLines {
  private pending = '';
  private level: ComfyLineLevel = 'info';
  private forwarded = 0;
  private dropped = 0;

  constructor(
    private readonly emit: (line: string, level: ComfyLineLevel) => void,
    private readonly limits: LogLineLimits = DEFAULT_LOG_LINE_LIMITS,
  ) {}

  /** Takes a `logs` message's entries; anything not shaped as ComfyUI sends them is ignored. */
  accept(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    for (const entry of entries) {
      const text = (entry as Partial<ComfyLogEntry> | null)?.m;
      if (typeof text !== 'string') continue;
      this.level = ERROR_WRITE.test(text) ? 'error' : 'info';
      this.write(text);
    }
  }

  private write(text: string): void {
    for (const piece of text.split(/(\r\n|\n|\r)/)) {
      if (piece === '\n' || piece === '\r\n') this.endLine();
      else if (piece === '\r') this.pending = '';
      else this.pending += piece;
      // A line that never ends is still bounded in memory.
      if (this.pending.length > this.limits.maxLineChars)
        this.pending = this.pending.slice(0, this.limits.maxLineChars + 1);
    }
  }

  private endLine(): void {
    const line = this.pending.trimEnd();
    this.pending = '';
    // CloudWatch keeps no empty events; the traceback's closing blank line is dropped as it is there.
    if (line === '') return;
    if (this.forwarded >= this.limits.maxLines) {
      this.dropped++;
      return;
    }
    this.forwarded++;
    this.emit(
      line.length > this.limits.maxLineChars ? `${line.slice(0, this.limits.maxLineChars)}…` : line,
      this.level,
    );
  }

  /** The prompt is over: an unfinished line is forwarded, and what the bound held back is said. */
  finish(): void {
    if (this.pending.trim() !== '') this.endLine();
    this.pending = '';
    if (this.dropped > 0)
      this.emit(
        `(${this.dropped} more lines of ComfyUI's output were not forwarded: at most ${this.limits.maxLines} a prompt)`,
        'info',
      );
    this.dropped = 0;
  }
}
