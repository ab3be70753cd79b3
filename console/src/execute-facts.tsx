import type { Execute } from '@comfy-exec/client';
import { duration, formatMs, fullTime } from './times';

/** The endpoint's timings in words; an unknown one as its key (`model_download_ms` → "model download"). */
const TIMING_NAMES: Record<string, string> = {
  claim_ms: 'Claiming the run',
  model_download_ms: 'Model downloads',
  handoff_ms: 'Hand-off to ComfyUI',
  comfyui_ms: 'In ComfyUI',
  upload_ms: 'Output uploads',
  total_ms: 'Total on the endpoint',
};
const timingName = (key: string) => TIMING_NAMES[key] ?? key.replace(/_ms$/, '').replaceAll('_', ' ');

/** When it was created, started and ended, how long it waited and ran, and where the time went. */
export function ExecuteFacts(props: { execute: Execute }) {
  const { execute } = props;
  const timings = Object.entries(execute.timings ?? {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  // [what the row is (data-fact, for tests and scripts), its label, its value]
  const rows: [string, string, string][] = [
    ['Created', 'Created', fullTime(execute.create_time)],
    ['Started', 'Started', fullTime(execute.start_time)],
    ['Ended', 'Ended', fullTime(execute.complete_time)],
    ['Queued for', 'Queued for', duration(execute.create_time, execute.start_time)],
    ['Ran for', 'Ran for', duration(execute.start_time, execute.complete_time)],
    ...timings.map(([key, ms]): [string, string, string] => [key, timingName(key), formatMs(ms)]),
  ];
  return (
    <dl class="facts" aria-label="times">
      {rows
        .filter(([, , value]) => value)
        .map(([fact, name, value]) => (
          <>
            <dt>{name}</dt>
            <dd data-fact={fact}>{value}</dd>
          </>
        ))}
    </dl>
  );
}

/** The Python traceback of a failure (ComfyUI sends it as a list of chunks), or undefined. */
export function tracebackOf(execute: Pick<Execute, 'error'>): string | undefined {
  const traceback = (execute.error as { traceback?: unknown } | null | undefined)?.traceback;
  const text = Array.isArray(traceback)
    ? traceback.map(String).join('')
    : typeof traceback === 'string'
      ? traceback
      : '';
  return text.trim() ? text.trimEnd() : undefined;
}

/** A failure's exception and traceback, as ComfyUI reported them. */
export function FailureDetails(props: { execute: Execute }) {
  const error = (props.execute.error ?? {}) as Record<string, unknown>;
  const traceback = tracebackOf(props.execute);
  const exception = [error.exception_type, error.exception_message].filter(Boolean).map(String).join(': ');
  if (!traceback && !exception) return null;
  return (
    <section aria-label="failure">
      <h2>Failure</h2>
      {exception && <p class="error">{exception}</p>}
      {traceback && (
        <details open>
          <summary>Traceback</summary>
          <pre class="traceback">{traceback}</pre>
        </details>
      )}
    </section>
  );
}
