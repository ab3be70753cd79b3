/**
 * Which inputs of a prompt hold a file name, and where an input file goes: one implementation for
 * the command line's `--input`, `run({ inputs })` and the console's file fields.
 */
import { findInputByName, findNode, PromptEditError, splitTarget } from './prompt-edits';
import type { ApiPrompt } from './types';

type PromptNode = { class_type: string; inputs?: Record<string, unknown> };

/** Input names ComfyUI's core loaders take a file name in (LoadImage, LoadImageMask, LoadAudio, LoadVideo). */
const LOADER_FILE_INPUTS = new Set(['image', 'mask', 'audio', 'video', 'file']);

/** The extensions of what ComfyUI's loaders open (media-kinds.ts on the server), a folder annotation allowed. */
const MEDIA_FILE_NAME =
  /\.(png|jpe?g|webp|gif|bmp|tiff?|avif|heic|heif|wav|mp3|flac|ogg|opus|m4a|aac|mp4|webm|mov|mkv|avi|glb|gltf|obj|stl)( ?\[(input|output|temp)\])?$/i;

/** True for a string that names a media file (`example.png`, `https://…/cat.jpeg`). */
export function looksLikeMediaFile(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_FILE_NAME.test(value);
}

/**
 * Whether an upload widget of the node names this input: API exports keep the frontend's upload
 * widget beside the file input, `"upload": "image"` (older ones: `"choose file to upload": "image"`).
 */
const uploadWidgetNames = (node: PromptNode, name: string) =>
  Object.entries(node.inputs ?? {}).some(([key, value]) => value === name && /upload/i.test(key));

/**
 * Whether a node's input takes a file name: the input the node's upload widget names, a loader's
 * image/mask/audio/video/file, or a loader's input whose value is a media file name (custom
 * loaders: VHS_LoadVideo, Load3D). The upload widget itself is not: its value is the name of the
 * file input, not a file. Nor is a text that reads like a file name on a node that loads nothing.
 */
export function isFileInput(node: PromptNode, name: string): boolean {
  const value = node.inputs?.[name];
  if (typeof value !== 'string') return false;
  if (uploadWidgetNames(node, name)) return true;
  const loads = /load/i.test(node.class_type);
  return loads && (LOADER_FILE_INPUTS.has(name) || looksLikeMediaFile(value));
}

export interface FileInput {
  node: string;
  input: string;
  value: string;
}

/** Every file input of an API prompt, in node order. */
export function fileInputsOf(prompt: ApiPrompt): FileInput[] {
  return Object.entries(prompt).flatMap(([node, spec]) =>
    Object.keys(spec.inputs ?? {})
      .filter((input) => isFileInput(spec, input))
      .map((input) => ({ node, input, value: spec.inputs[input] as string })),
  );
}

const isApiPrompt = (prompt: Record<string, unknown>) => !Array.isArray(prompt.nodes);

/**
 * The file-name slots of a prompt: an API prompt's file inputs, or a UI workflow's widget values
 * that name a media file (widgets have no names there). Each is a record and the key to change.
 */
function fileSlots(prompt: Record<string, unknown>): { values: Record<string, unknown>; key: string }[] {
  if (isApiPrompt(prompt))
    return fileInputsOf(prompt as ApiPrompt).map(({ node, input }) => ({
      values: (prompt as ApiPrompt)[node]!.inputs,
      key: input,
    }));
  return (prompt.nodes as { widgets_values?: unknown }[]).flatMap((node) => {
    const values = node?.widgets_values;
    if (!values || typeof values !== 'object') return [];
    const record = values as Record<string, unknown>;
    return Object.keys(record)
      .filter((key) => looksLikeMediaFile(record[key]))
      .map((key) => ({ values: record, key }));
  });
}

/** True when a file input of the prompt (API) or a file-name widget value (UI) is this name. */
export function usesFileName(prompt: Record<string, unknown>, name: string): boolean {
  return fileSlots(prompt).some(({ values, key }) => values[key] === name);
}

/** Replaces a file name wherever a file input (or file-name widget value) holds it; answers how many. */
export function replaceFileName(prompt: Record<string, unknown>, from: string, to: string): number {
  let replaced = 0;
  for (const { values, key } of fileSlots(prompt))
    if (values[key] === from) {
      values[key] = to;
      replaced++;
    }
  return replaced;
}

/** Where an input file goes: over a file name the prompt uses, or into `NODE.INPUT`. */
export type Placement = { byFileName: string } | { target: string };

const nodeExists = (prompt: ApiPrompt, name: string) =>
  Boolean(prompt[name]) || Object.values(prompt).some((n) => [n.class_type, n._meta?.title].includes(name));

const describeFile = (prompt: ApiPrompt, { node, input, value }: FileInput) =>
  `${node}.${input} (${prompt[node]!.class_type}) = ${value}`;

/**
 * Where the file keyed `key` goes. In order: `NODE.INPUT`; an input name (file inputs first: two
 * of that name are an error listing them); a file name a file input holds. A UI workflow has no
 * input names before conversion: only its file names place a file (else undefined: convert first).
 */
export function placeInput(key: string, prompt: Record<string, unknown>): Placement | undefined {
  if (!isApiPrompt(prompt)) return usesFileName(prompt, key) ? { byFileName: key } : undefined;
  const api = prompt as ApiPrompt;
  const parts = splitTarget(key);
  if (parts && nodeExists(api, parts.node)) {
    findNode(api, parts.node);
    return { target: key };
  }
  const files = fileInputsOf(api);
  const named = files.filter((file) => file.input === key);
  if (named.length > 1)
    throw new PromptEditError(
      `the input file '${key}' could be ${named.map((file) => describeFile(api, file)).join(', ')}: name one as NODE.${key} (e.g. ${named[0]!.node}.${key})`,
    );
  if (named.length === 1) return { target: `${named[0]!.node}.${key}` };
  const byName = findInputByName(api, key);
  if (byName) return { target: byName };
  if (usesFileName(api, key)) return { byFileName: key };
  const known = files.map((file) => describeFile(api, file)).join(', ');
  throw new PromptEditError(
    `the input file '${key}' names no NODE.INPUT, no input of any node and no file the prompt uses (its file inputs: ${known || 'none'})`,
  );
}
