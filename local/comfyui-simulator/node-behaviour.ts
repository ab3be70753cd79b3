import { renderTone, waveformAt } from './audio-flow';
import { encodeFlac } from './flac-encoder';
import { encodePng, IMAGE_LOADERS, pictureAt } from './image-flow';
import { linkedValue, pythonStr } from './node-values';
import { renderPng } from './render-png';
import type { SavedMetadata } from './saved-metadata';
import { asSavedPng } from './saved-png';
import { encodeSilentMp3 } from './silent-mp3';
import { encodeSilentOpus } from './silent-opus';
import type { FileItem, SimulatorFiles } from './simulator-files';
import { toInt16, type Waveform } from './wav-pcm';

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** Breadth-first over a node's inputs and their sources, nearest first. */
function upstream(prompt: Prompt, id: string): string[] {
  const order: string[] = [];
  const seen = new Set([id]);
  const queue = [id];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const value of Object.values(prompt[current]?.inputs ?? {})) {
      if (Array.isArray(value) && typeof value[0] === 'string' && prompt[value[0]] && !seen.has(value[0])) {
        seen.add(value[0]);
        order.push(value[0]);
        queue.push(value[0]);
      }
    }
  }
  return order;
}

const numberInput = (inputs: Record<string, unknown>, name: string) =>
  typeof inputs[name] === 'number' ? (inputs[name] as number) : undefined;

/**
 * What decides the picture: size and batch from the latent (or the loaded image), seed from the
 * sampler, the prompt texts. `imageSize` reads an input image's size by name.
 */
export function pictureInputs(
  prompt: Prompt,
  id: string,
  imageSize: (name: string) => { width: number; height: number } | undefined = () => undefined,
) {
  const upstreamIds = upstream(prompt, id);
  const sources = upstreamIds.map((source) => prompt[source]!.inputs);
  // The nearest source of a size wins: a latent's width/height or a loaded image's own size.
  const sizeOf = (source: string) => {
    const inputs = prompt[source]!.inputs;
    if (IMAGE_LOADERS.has(prompt[source]!.class_type)) return imageSize(String(inputs.image));
    const width = numberInput(inputs, 'width');
    const height = numberInput(inputs, 'height');
    return width && height ? { width, height, batch_size: inputs.batch_size } : undefined;
  };
  const sized = upstreamIds.map(sizeOf).find((size) => size !== undefined) as
    | Record<string, unknown>
    | undefined;
  const seeded = sources.find(
    (inputs) => numberInput(inputs, 'seed') !== undefined || numberInput(inputs, 'noise_seed') !== undefined,
  );
  const texts = sources.flatMap((inputs) =>
    ['text', 'text_g', 'text_l'].map((k) => inputs[k]).filter((t) => typeof t === 'string'),
  );
  return {
    width: Math.min(sized ? numberInput(sized, 'width')! : 512, 8192),
    height: Math.min(sized ? numberInput(sized, 'height')! : 512, 8192),
    batch: Math.max(1, Math.min(sized ? (numberInput(sized, 'batch_size') ?? 1) : 1, 64)),
    identity: `${seeded ? (numberInput(seeded, 'seed') ?? numberInput(seeded, 'noise_seed')) : 0}|${texts.join('|')}`,
  };
}

/** Sampler-like nodes report one progress event per step. */
export function stepsOf(inputs: Record<string, unknown>): number {
  const steps = numberInput(inputs, 'steps');
  return steps && steps > 0 ? Math.min(steps, 10_000) : 0;
}

const IMAGE_SAVERS = new Set(['SaveImage', 'SaveAnimatedWEBP', 'SaveAnimatedPNG', 'ImageStitch']);
/** What each audio saver writes (comfy_extras/nodes_audio.py save_audio's `format`). */
const AUDIO_SAVERS: Record<string, 'flac' | 'mp3' | 'opus'> = {
  SaveAudio: 'flac',
  PreviewAudio: 'flac',
  SaveAudioMP3: 'mp3',
  SaveAudioOpus: 'opus',
};

function encodeAudio(format: 'flac' | 'mp3' | 'opus', audio: Waveform, metadata: SavedMetadata): Buffer {
  if (format === 'mp3') return encodeSilentMp3(audio, metadata);
  if (format === 'opus') return encodeSilentOpus(audio, metadata);
  return encodeFlac(audio.channels.map(toInt16), audio.sampleRate, metadata);
}

/**
 * The `ui` dict a node's execution reports (history `outputs[node]`), writing its files; SaveImage,
 * PreviewImage and the audio savers embed `metadata` as ComfyUI does.
 */
export function runOutputNode(
  prompt: Prompt,
  id: string,
  files: SimulatorFiles,
  tempPrefix: string,
  metadata: SavedMetadata = [],
): Record<string, unknown> | undefined {
  const node = prompt[id]!;
  // Only SaveImage and its PreviewImage embed the prompt; the simulator's other savers write plain PNGs.
  const embedded = (png: Buffer) =>
    node.class_type === 'SaveImage' || node.class_type === 'PreviewImage' ? asSavedPng(png, metadata) : png;
  const prefix = typeof node.inputs.filename_prefix === 'string' ? node.inputs.filename_prefix : 'ComfyUI';
  if (IMAGE_SAVERS.has(node.class_type) || node.class_type === 'PreviewImage') {
    const preview = node.class_type === 'PreviewImage';
    // img2img, inpainting and plain image edits: the pixels follow from the input file.
    const picture = pictureAt(prompt, node.inputs.images, files);
    if (picture)
      return {
        images: [
          files.save(
            preview ? 'temp' : 'output',
            preview ? tempPrefix : prefix,
            'png',
            embedded(encodePng(picture)),
          ),
        ],
      };
    const { width, height, batch, identity } = pictureInputs(prompt, id, (name) =>
      files.inputImageSize(name),
    );
    const images: FileItem[] = [];
    for (let index = 0; index < batch; index++) {
      const png = embedded(renderPng(width, height, `${identity}|${index}`));
      images.push(files.save(preview ? 'temp' : 'output', preview ? tempPrefix : prefix, 'png', png));
    }
    return { images };
  }
  const format = AUDIO_SAVERS[node.class_type];
  if (format) {
    const preview = node.class_type === 'PreviewAudio';
    const audio =
      waveformAt(prompt, node.inputs.audio, (name) => files.readInput(name)) ??
      renderTone(pictureInputs(prompt, id).identity);
    const bytes = encodeAudio(format, audio, metadata);
    return { audio: [files.save(preview ? 'temp' : 'output', preview ? tempPrefix : prefix, format, bytes)] };
  }
  if (node.class_type === 'PreviewAny') {
    // ComfyUI's PreviewAny: a string as is, numbers and booleans through str(), others serialised.
    return { text: [pythonStr(linkedValue(prompt, node.inputs.source))] };
  }
  return undefined;
}
