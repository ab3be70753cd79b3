/**
 * Records the files in test/fixtures/embedded-workflow/: a PNG, an animated WEBP and an MP4 that a
 * real ComfyUI saved, each carrying the prompt that made it and the UI workflow the editor would
 * have sent (`extra_data.extra_pnginfo.workflow`). The client reads them back as ComfyUI's own
 * editor does when a file is dropped on it.
 *
 *   COMFYUI_URL=http://127.0.0.1:8188 npx tsx scripts/record-embedded-workflows.ts
 *
 * (start the server with ../shared/tools/real-comfyui/start.sh; see its README).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const COMFYUI = process.env.COMFYUI_URL ?? 'http://127.0.0.1:8188';
const OUT = join(import.meta.dirname, '../test/fixtures/embedded-workflow');

type Node = { class_type: string; inputs: Record<string, unknown> };

/** A UI workflow (editor format, version 0.4) of a chain of nodes, each feeding the next's first input. */
function uiChain(nodes: { type: string; input?: string; output?: string; widgets: unknown[] }[]) {
  return {
    last_node_id: nodes.length,
    last_link_id: nodes.length - 1,
    nodes: nodes.map((node, i) => ({
      id: i + 1,
      type: node.type,
      pos: [i * 300, 100],
      size: [270, 100],
      flags: {},
      order: i,
      mode: 0,
      inputs: i === 0 ? [] : [{ name: node.input, type: nodes[i - 1]!.output, link: i }],
      outputs: node.output ? [{ name: node.output, type: node.output, links: [i + 1] }] : [],
      properties: { 'Node name for S&R': node.type },
      widgets_values: node.widgets,
    })),
    links: nodes.slice(1).map((_node, i) => [i + 1, i + 1, 0, i + 2, 0, nodes[i]!.output]),
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
  };
}

const RECORDINGS: { file: string; prompt: Record<string, Node>; workflow: unknown }[] = [
  {
    file: 'inverted.png',
    prompt: {
      '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: 0x336699 } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'embedded' } },
    },
    workflow: uiChain([
      { type: 'EmptyImage', output: 'IMAGE', widgets: [16, 16, 1, 0x336699] },
      { type: 'ImageInvert', input: 'image', output: 'IMAGE', widgets: [] },
      { type: 'SaveImage', input: 'images', widgets: ['embedded'] },
    ]),
  },
  {
    file: 'animated.webp',
    prompt: {
      '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 2, color: 0x993366 } },
      '2': {
        class_type: 'SaveAnimatedWEBP',
        inputs: {
          images: ['1', 0],
          filename_prefix: 'embedded',
          fps: 6,
          lossless: true,
          quality: 80,
          method: 'default',
        },
      },
    },
    workflow: uiChain([
      { type: 'EmptyImage', output: 'IMAGE', widgets: [16, 16, 2, 0x993366] },
      { type: 'SaveAnimatedWEBP', input: 'images', widgets: ['embedded', 6, true, 80, 'default'] },
    ]),
  },
  {
    file: 'clip.mp4',
    prompt: {
      '1': { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 2, color: 0x669933 } },
      '2': { class_type: 'CreateVideo', inputs: { images: ['1', 0], fps: 8 } },
      '3': {
        class_type: 'SaveVideo',
        inputs: { video: ['2', 0], filename_prefix: 'video/embedded', format: 'mp4', codec: 'h264' },
      },
    },
    workflow: uiChain([
      { type: 'EmptyImage', output: 'IMAGE', widgets: [16, 16, 2, 0x669933] },
      { type: 'CreateVideo', input: 'images', output: 'VIDEO', widgets: [8] },
      { type: 'SaveVideo', input: 'video', widgets: ['video/embedded', 'mp4', 'h264'] },
    ]),
  },
];

// biome-ignore lint/suspicious/noExplicitAny: ComfyUI's answers, read loosely by a one-off recorder
async function json(path: string, init?: RequestInit): Promise<any> {
  const response = await fetch(`${COMFYUI}${path}`, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function recordOne({ file, prompt, workflow }: (typeof RECORDINGS)[number]) {
  const queued = await json('/prompt', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, extra_data: { extra_pnginfo: { workflow } } }),
  });
  const id = queued.prompt_id as string;
  for (let waited = 0; waited < 120; waited++) {
    const history = (await json(`/history/${id}`))[id];
    if (history?.status?.completed) {
      // biome-ignore lint/suspicious/noExplicitAny: as above
      const items = Object.values(history.outputs as Record<string, Record<string, any[]>>)
        .flatMap((output) => Object.values(output).flat())
        .filter((item) => item && typeof item === 'object' && 'filename' in item);
      const item = items[0];
      const query = new URLSearchParams({
        filename: item.filename,
        subfolder: item.subfolder,
        type: item.type,
      });
      const bytes = Buffer.from(await (await fetch(`${COMFYUI}/view?${query}`)).arrayBuffer());
      writeFileSync(join(OUT, file), bytes);
      console.log(`${file}: ${bytes.length} bytes (ComfyUI's ${item.subfolder}/${item.filename})`);
      return;
    }
    if (history?.status?.status_str === 'error')
      throw new Error(`${file}: ${JSON.stringify(history.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${file}: ComfyUI did not finish in 60 s`);
}

mkdirSync(OUT, { recursive: true });
for (const recording of RECORDINGS) await recordOne(recording);
writeFileSync(
  join(OUT, 'recorded.json'),
  `${JSON.stringify(
    Object.fromEntries(RECORDINGS.map((r) => [r.file, { prompt: r.prompt, workflow: r.workflow }])),
    null,
    2,
  )}\n`,
);
