/**
 * Records test/fixtures/real-comfyui/ from a real ComfyUI (see the README there): the websocket
 * frames of each `{name}.request.json` and the files its savers wrote. Test equipment: run by hand
 * against ../shared/tools/real-comfyui/ with progress_probe.py in custom_nodes/ and CUSTOM_NODES=1.
 *
 *   COMFYUI_URL=http://127.0.0.1:8190 npx tsx scripts/record-real-comfyui-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  normaliseRun,
  REAL_COMFYUI_FIXTURES,
  readFixture,
  recordRun,
} from '../test/support/real-comfyui-recording';

const url = process.env.COMFYUI_URL ?? 'http://127.0.0.1:8190';
const write = (name: string, bytes: string | Buffer) =>
  writeFileSync(join(REAL_COMFYUI_FIXTURES, name), bytes);

const form = new FormData();
form.append('image', new Blob([readFixture('tone.wav')]), 'comfy-exec-fixture-tone.wav');
form.append('overwrite', 'true');
const upload = await fetch(`${url}/upload/image`, { method: 'POST', body: form });
if (upload.status !== 200) throw new Error(`upload: ${upload.status} ${await upload.text()}`);

type FileItem = { filename: string; subfolder: string; type: string };
type HistoryEntry = { outputs: Record<string, { images?: FileItem[]; audio?: FileItem[] }> };
const stats = (await (await fetch(`${url}/system_stats`)).json()) as { system: { comfyui_version: string } };
const version = stats.system.comfyui_version;
const files: Record<string, string> = {
  'image:3': 'image.png',
  'audio:2': 'audio.flac',
  'audio:4': 'audio.mp3',
  'audio:5': 'audio.opus',
};
for (const name of ['image', 'audio', 'progress', 'failure']) {
  const run = await recordRun(url, name);
  if (run.status !== 200) throw new Error(`${name}: POST /prompt answered ${run.status}`);
  write(`${name}.messages.json`, `${JSON.stringify(normaliseRun(run), null, 1)}\n`);
  const answer = (await (await fetch(`${url}/history/${run.promptId}`)).json()) as Record<
    string,
    HistoryEntry
  >;
  const history = answer[run.promptId]!;
  for (const [node, output] of Object.entries(history.outputs)) {
    const target = files[`${name}:${node}`];
    const item = (output.images ?? output.audio)?.[0];
    if (!target || !item) continue;
    const view = await fetch(`${url}/view?${new URLSearchParams(item)}`);
    write(target, Buffer.from(await view.arrayBuffer()));
  }
  console.log(`${name}: ${run.frames.length} frames, outputs ${Object.keys(history.outputs).join(', ')}`);
}
// The failing prompt again, with ComfyUI's terminal subscribed: the `logs` messages among its events.
const terminal = await recordRun(url, 'logs', false, true);
write('logs.messages.json', `${JSON.stringify(normaliseRun(terminal), null, 1)}\n`);
// The same prompt without a client_id, seen from another client's socket: what ComfyUI broadcasts.
const broadcast = await recordRun(url, 'broadcast', true);
write('broadcast.messages.json', `${JSON.stringify(normaliseRun(broadcast), null, 1)}\n`);
console.log(`recorded from ComfyUI ${version}`);
