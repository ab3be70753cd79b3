/**
 * Where an invocation's time goes, stage by stage: each stage runs from the end of the one
 * before it to its own end, so the stages add up to the whole (`total_ms`) with nothing left
 * over. The result's `timings` carry them; `npm run bench` reports each.
 */
export class StageClock {
  private last: number;
  readonly stages: Record<string, number> = {};

  constructor(readonly started = Date.now()) {
    this.last = started;
  }

  /** Ends the stage `name` at `at` (now by default); a stage ended twice adds up. */
  end(name: string, at = Date.now()): void {
    const from = this.last;
    this.last = Math.max(from, at);
    this.stages[`${name}_ms`] = (this.stages[`${name}_ms`] ?? 0) + (this.last - from);
  }

  totalMs(at = Date.now()): number {
    return at - this.started;
  }
}
