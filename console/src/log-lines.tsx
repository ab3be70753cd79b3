import { formatLogLine, type LogLine } from '@comfy-exec/client';

export type { LogLine };

/** The endpoint's lines for this execute, one per row. */
export function LogLines(props: { lines: LogLine[] }) {
  if (props.lines.length === 0) return <p class="hint">No log lines yet.</p>;
  return <pre class="logs">{props.lines.map(formatLogLine).join('\n')}</pre>;
}
