import cliProgress from 'cli-progress';
import type { ApiPrompt, Execute, Progress } from '../src/index';

/** Where a run is, for people: a live bar on a terminal, a line per change elsewhere. */
export interface ProgressView {
  update(execute: Execute, progress: Progress | null): void;
  /** Takes the bar off the screen (before a question or the final lines). */
  stop(): void;
}

/** What the execute is doing now: a stage before ComfyUI, the node running, or its status. */
function nowDoing(prompt: ApiPrompt | undefined, progress: Progress | null, execute: Execute): string {
  if (execute.status !== 'running') return execute.status === 'created' ? 'queued' : execute.status;
  if (progress?.stage) return progress.stage;
  const node = progress?.node;
  if (!node) return 'running';
  const entry = prompt?.[node];
  return entry ? `${entry._meta?.title ?? entry.class_type} (node ${node})` : `node ${node}`;
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

export function progressView(stream: NodeJS.WriteStream, prompt: ApiPrompt | undefined): ProgressView {
  const started = Date.now();
  if (!stream.isTTY) {
    let last = '';
    return {
      update(execute, progress) {
        const percent = progress && execute.status === 'running' ? ` ${Math.round(progress.percent)}%` : '';
        const line = `${nowDoing(prompt, progress, execute)}${percent}`;
        if (line !== last) stream.write(`[${seconds(started)}] ${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {node} | {elapsed}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { node: 'queued', elapsed: '0.0s' });
  const ticker = setInterval(() => bar.update({ elapsed: seconds(started) }), 200);
  return {
    update(execute, progress) {
      const done = execute.status === 'success' ? 100 : Math.round(progress?.percent ?? 0);
      bar.update(done, { node: nowDoing(prompt, progress, execute), elapsed: seconds(started) });
    },
    stop() {
      clearInterval(ticker);
      bar.stop();
    },
  };
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MIB).toFixed(1);

/** An upload's bytes: a bar with speed and time left on a terminal, a line per part elsewhere. */
export function transferView(stream: NodeJS.WriteStream, what: string, total: number) {
  if (!stream.isTTY) {
    let last = -1;
    return {
      update(done: number) {
        if (done !== last) stream.write(`${what}: ${mib(done)} of ${mib(total)} MiB\n`);
        last = done;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `{bar} {percentage}% | {done}/{all} MiB | {speed} MiB/s | ETA {eta_formatted} | ${what}`,
      hideCursor: true,
      barsize: 30,
      etaBuffer: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let first: number | undefined;
  bar.start(total, 0, { done: '0.0', all: mib(total), speed: '-' });
  return {
    update(done: number) {
      // Speed counts this run's bytes only: parts an earlier run sent are not this run's speed.
      first ??= done;
      const elapsed = (Date.now() - started) / 1000;
      const speed = elapsed > 0 ? mib((done - first) / elapsed) : '-';
      bar.update(done, { done: mib(done), speed });
    },
    stop() {
      bar.stop();
    },
  };
}
