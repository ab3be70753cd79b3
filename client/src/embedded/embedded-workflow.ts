import { parseExactJson } from '../exact-json';
import type { ApiPrompt } from '../types';
import { mp4TextMetadata } from './mp4-metadata';

/** What a file saved by ComfyUI carries: the API prompt that made it, and the editor's workflow. */
export interface EmbeddedWorkflow {
  prompt?: ApiPrompt;
  workflow?: Record<string, unknown>;
}

export type SavedFileFormat = 'png' | 'webp' | 'mp4';

/** The format of a file ComfyUI saves workflows in, by its first bytes; undefined for anything else. */
export function savedFileFormat(bytes: Uint8Array): SavedFileFormat | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(4, 8) === 'ftyp') return 'mp4';
  return undefined;
}

function parsed(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = parseExactJson(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** exifreader (115 KB) is loaded when a PNG or WEBP is read, not with the client. */
const exifReader = async () => (await import('exifreader')).default;

/** PNG: `tEXt`/`iTXt` chunks named `prompt` and `workflow` (SaveImage). */
async function pngTexts(bytes: Uint8Array): Promise<Record<string, string | undefined>> {
  const tags = (await exifReader()).load(bytes.slice().buffer, { expanded: true }) as {
    pngText?: Record<string, { value?: unknown; description?: unknown }>;
  };
  const texts: Record<string, string | undefined> = {};
  for (const [name, tag] of Object.entries(tags.pngText ?? {}))
    texts[name] = typeof tag.value === 'string' ? tag.value : String(tag.description ?? '');
  return texts;
}

/**
 * WEBP: EXIF text tags, each `name:json` (SaveAnimatedWEBP/SaveWEBM write `prompt:` in Model and
 * each extra_pnginfo entry, `workflow:` first, in Make and the tags below it).
 */
async function webpTexts(bytes: Uint8Array): Promise<Record<string, string | undefined>> {
  const tags = (await exifReader()).load(bytes.slice().buffer, { expanded: true }) as {
    exif?: Record<string, { value?: unknown }>;
  };
  const texts: Record<string, string | undefined> = {};
  for (const tag of Object.values(tags.exif ?? {})) {
    const value = Array.isArray(tag.value) ? tag.value.join('') : tag.value;
    const match = typeof value === 'string' ? /^(\w+):([\s\S]*)$/.exec(value) : null;
    if (match) texts[match[1]!] = match[2];
  }
  return texts;
}

/** The prompt and workflow a PNG, WEBP or MP4 saved by ComfyUI carries (either may be absent). */
export async function readEmbeddedWorkflow(bytes: Uint8Array): Promise<EmbeddedWorkflow> {
  const format = savedFileFormat(bytes);
  const texts =
    format === 'png'
      ? await pngTexts(bytes)
      : format === 'webp'
        ? await webpTexts(bytes)
        : format === 'mp4'
          ? mp4TextMetadata(bytes)
          : {};
  const prompt = parsed(texts.prompt) as ApiPrompt | undefined;
  const workflow = parsed(texts.workflow);
  return { ...(prompt ? { prompt } : {}), ...(workflow ? { workflow } : {}) };
}
