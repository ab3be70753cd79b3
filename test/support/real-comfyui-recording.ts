import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

/** Where the recordings of the real ComfyUI live (test/fixtures/real-comfyui/README.md). */
export const REAL_COMFYUI_FIXTURES = join(import.meta.dirname, '../fixtures/real-comfyui');

export const readFixture = (name: string) => readFileSync(join(REAL_COMFYUI_FIXTURES, name));

/** One websocket frame as recorded: JSON as ComfyUI sent it, a binary frame by its event type. */
export type RecordedFrame = { type: string; data: any } | { binary: number };

export interface RecordedRun {
  promptId: string;
  clientId: string;
  status: number;
  frames: RecordedFrame[];
}

/**
 * POSTs one recorded request body (`{name}.request.json`) to a ComfyUI-speaking server, with a
 * fresh `prompt_id` and `client_id` put in front as text, so that the prompt reaches the server with
 * the key order of the file (Python keeps it; a JS object would sort numeric ids). Every frame on
 * `/ws?clientId=` from the greeting up to `executing` with node null is returned. With `watcher`,
 * the body has no `client_id` and the socket is another client's: what ComfyUI broadcasts, up to
 * the `status` that says the queue is empty again. With `terminal`, ComfyUI's terminal writes come
 * too (`logs` messages), up to the one that says how long the prompt took.
 */
export async function recordRun(
  baseUrl: string,
  name: string,
  watcher = false,
  /** Subscribe to ComfyUI's terminal first, and record up to its "Prompt executed in" line. */
  terminal = false,
): Promise<RecordedRun> {
  const promptId = randomUUID();
  const clientId = `fixture-${randomUUID().slice(0, 8)}`;
  const frames: RecordedFrame[] = [];
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
  let wake: () => void = () => {};
  socket.on('message', (data, binary) => {
    const buffer = data as Buffer;
    frames.push(binary ? { binary: buffer.readUInt32BE(0) } : JSON.parse(buffer.toString('utf8')));
    wake();
  });
  const until = (found: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: no end in ${JSON.stringify(frames)}`)),
        30_000,
      );
      wake = () => {
        if (!found()) return;
        clearTimeout(timer);
        resolve();
      };
      wake();
    });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await until(() => frames.length > 0);
  if (terminal) {
    const subscribed = await fetch(`${baseUrl}/internal/logs/subscribe`, {
      method: 'PATCH',
      body: JSON.stringify({ clientId, enabled: true }),
    });
    if (subscribed.status !== 200) throw new Error(`${name}: subscribe answered ${subscribed.status}`);
  }
  const body = readFixture(`${name}.request.json`).toString('utf8').trim();
  const client = watcher ? '' : ` "client_id": ${JSON.stringify(clientId)},`;
  const text = `{"prompt_id": ${JSON.stringify(promptId)},${client} ${body.slice(1)}`;
  const response = await fetch(`${baseUrl}/prompt`, { method: 'POST', body: text });
  const ended = (f: RecordedFrame, index: number) =>
    'type' in f &&
    (watcher
      ? f.type === 'status' &&
        f.data.status.exec_info.queue_remaining === 0 &&
        frames.slice(0, index).some((g) => 'type' in g && g.data.prompt_id === promptId)
      : f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId);
  const executedLine = (f: RecordedFrame) =>
    'type' in f && f.type === 'logs' && /^Prompt executed in /.test(f.data.entries[0]?.m);
  if (response.status === 200)
    await until(() => frames.some(ended) && (!terminal || frames.some(executedLine)));
  socket.close();
  return { promptId, clientId, status: response.status, frames };
}

/**
 * What may differ between two runs of one prompt: its ids, the clock, PreviewAudio/PreviewImage's
 * random temp prefix. Everything else (types, order, keys, values) is compared as recorded.
 */
export function normaliseRun(run: RecordedRun): RecordedFrame[] {
  const walk = (value: unknown, key?: string): unknown => {
    if (key === 'timestamp' && typeof value === 'number') return 0;
    if (key === 't' && typeof value === 'string') return '<t>';
    if (typeof value === 'string' && /^Prompt executed in [\d.]+ seconds\n$/.test(value))
      return 'Prompt executed in <s> seconds\n';
    if (value === run.promptId) return '<prompt_id>';
    if (value === run.clientId) return '<client_id>';
    if (typeof value === 'string') return value.replace(/_temp_[a-z]{5}_/g, '_temp_xxxxx_');
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return run.frames.map((frame) => walk(frame) as RecordedFrame);
}
