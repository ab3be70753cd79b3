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
