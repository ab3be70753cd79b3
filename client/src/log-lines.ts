/** Fields every structured line carries: noise beside the message a person reads. */
const BOILERPLATE = new Set([
  'level',
  'message',
  'timestamp',
  'time',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'prompt_id',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
]);

export interface LogLine {
  timestamp: string;
  message: string;
}

/**
 * One of GetExecuteLogs' lines as a person reads it (the console and the CLI's `logs`): a
 * structured (JSON) line as its time, level and message and any other fields as `name=value`;
 * ComfyUI's own output, which the container forwards as `source: "comfyui"` lines, as its time and
 * the line ComfyUI wrote; anything else as it was written.
 */
export function formatLogLine(line: LogLine): string {
  return printable(formatted(line));
}

/** Terminal control sequences (colours, cursor moves, line erasing) in what a prompt made a node print. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it finds
const CONTROL_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A line safe to print on a terminal or a page: escape sequences go (a node's colours, but also
 * an erase-line that would hide the real line and show a forged one), other control characters
 * are shown as \xNN, and a line break inside a field starts an indented continuation.
 */
function printable(text: string): string {
  return (
    text
      .replace(CONTROL_SEQUENCE, '')
      .replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
      // A field's own line breaks (a stack trace) are indented: never a line of its own, with a time.
      .replace(/\n/g, '\n    ')
  );
}

function formatted(line: LogLine): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.message);
  } catch {
    return line.message.trimEnd();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line.message.trimEnd();
  const fields = parsed as Record<string, unknown>;
  const when = String(fields.timestamp ?? line.timestamp ?? '');
  const time = /T(\d\d:\d\d:\d\d(\.\d+)?)/.exec(when)?.[1] ?? when;
  if (fields.source === 'comfyui' && typeof fields.message === 'string') return `${time} ${fields.message}`;
  const extra = Object.entries(fields)
    .filter(([name]) => !BOILERPLATE.has(name))
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, fields.level, fields.message, ...extra]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}
