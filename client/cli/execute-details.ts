import { type Execute, exactJsonText } from '../src/index';
import { outputFiles, outputTexts } from '../src/outputs';
import { shellWord } from './template-params';

/** A text output as a line (continuation lines indented, so a multi-line text stays one block). */
export function textLines(execute: Pick<Execute, 'outputs'>): string[] {
  return outputTexts(execute).map(
    ({ node, kind, text }) => `node ${node} ${kind}: ${text.replaceAll('\n', '\n    ')}`,
  );
}

const seconds = (from: string, to: string) => `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)}s`;

/** `template: portrait  prompt='a red fox' seed=7`: which template ran, with the values given. */
function templateLine(template: NonNullable<Execute['template']>): string {
  const values = Object.entries(template.inputs).map(
    ([name, value]) => `${name}=${shellWord(typeof value === 'string' ? value : exactJsonText(value))}`,
  );
  return `template: ${template.name}${values.length > 0 ? `  ${values.join(' ')}` : ''}`;
}

/** `created …, started … (queued 1.2s), completed … (ran 3.4s)`. */
function timesLine(execute: Execute): string {
  const parts = [`created ${execute.create_time}`];
  if (execute.start_time)
    parts.push(`started ${execute.start_time} (queued ${seconds(execute.create_time, execute.start_time)})`);
  if (execute.complete_time)
    parts.push(
      `completed ${execute.complete_time} (${execute.start_time ? `ran ${seconds(execute.start_time, execute.complete_time)}` : `after ${seconds(execute.create_time, execute.complete_time)}`})`,
    );
  return `times: ${parts.join(', ')}`;
}

/** `total 1234 ms, comfyui 1100 ms, model download 0 ms`: the endpoint's own measures. */
function timingsLine(timings: NonNullable<Execute['timings']>): string | undefined {
  const entries = Object.entries(timings).filter(([, ms]) => typeof ms === 'number');
  if (entries.length === 0) return undefined;
  return `timings: ${entries.map(([name, ms]) => `${name.replace(/_ms$/, '').replaceAll('_', ' ')} ${ms} ms`).join(', ')}`;
}

/** `get`'s view of one execute, for people: status, times, timings, webhook, outputs and texts. */
export function executeDetails(execute: Execute): string[] {
  const lines = [
    `${execute.prompt_id}  ${execute.status}  ${execute.endpoint_name}  created ${execute.create_time}`,
  ];
  if (execute.message) lines.push(execute.message);
  // A cancel that reached ComfyUI after the run ended: the execute ran to its end (README `cancel`).
  if (execute.cancel_requested && (execute.status === 'success' || execute.status === 'failed'))
    lines.push(
      `cancel requested, but the execute had already ${execute.status === 'success' ? 'succeeded' : 'failed'}`,
    );
  if (execute.template) lines.push(templateLine(execute.template));
  lines.push(timesLine(execute));
  const timings = execute.timings && timingsLine(execute.timings);
  if (timings) lines.push(timings);
  if (execute.progress && !['success', 'failed', 'cancelled'].includes(execute.status))
    lines.push(
      `progress: ${Math.round(execute.progress.percent)}% ${execute.progress.stage ?? `node ${execute.progress.node ?? '-'}`}`,
    );
  const hook = execute.webhook;
  if (hook)
    lines.push(
      `webhook: ${hook.url} ${hook.status}${hook.event ? ` (${hook.event}, ${hook.attempts} attempt${hook.attempts === 1 ? '' : 's'})` : ''}${hook.last_error ? `: ${hook.last_error}` : ''}`,
    );
  const files = outputFiles(execute);
  const texts = textLines(execute);
  if (files.length + texts.length > 0) {
    lines.push('outputs:');
    for (const file of files)
      lines.push(
        `  node ${file.node} ${file.kind}: ${file.subfolder ? `${file.subfolder}/` : ''}${file.filename}${file.type === 'temp' ? ' (preview)' : ''}  ${file.url}`,
      );
    for (const text of texts) lines.push(`  ${text}`);
  }
  return lines;
}
