import type { PromptGraph } from '../prompt-graph';
import { comboOptions, type NodeCatalog, nodeSpec, optionsOf } from '../workflow/node-catalog';
import type { MediaKind } from './media-kinds';

/**
 * Input types the frontend fills with a file name that ComfyUI then opens with
 * `get_annotated_filepath` (WebcamCapture's capture, RecordAudio's recording): file inputs
 * though their spec carries no upload flag.
 */
const FILE_TYPES: Record<string, MediaKind> = { WEBCAM: 'image', AUDIO_RECORD: 'audio' };

/**
 * The kind of file an upload flag names. Any other `*_upload` flag is still a file input (deny by
 * default); it gets the kind whose content check is the loosest (model3d accepts unknown bytes).
 */
function kindOfFlag(flag: string): MediaKind {
  if (flag.includes('image')) return 'image';
  if (flag.includes('audio')) return 'audio';
  if (flag.includes('video')) return 'video';
  return 'model3d';
}

/**
 * Nodes whose own file check ComfyUI runs instead of the combo list (VALIDATE_INPUTS /
 * validate_inputs: `folder_paths.exists_annotated_filepath`), with the word their message uses.
 * LoadImageOutput and WebcamCapture inherit LoadImage's. Checked against the real server:
 * `custom_validation_failed`, "image - Invalid image file: x".
 */
const NODE_FILE_CHECKS: Record<string, string> = {
  LoadImage: 'image',
  LoadImageMask: 'image',
  LoadImageOutput: 'image',
  WebcamCapture: 'image',
  LoadAudio: 'audio',
  LoadVideo: 'video',
};

export interface FileInput {
  nodeId: string;
  classType: string;
  input: string;
  /** The value as the prompt gives it (possibly with a ` [input]` annotation). */
  value: string;
  kind: MediaKind;
  /** The word of the node's own file check ("image"), or undefined when ComfyUI checks the combo list. */
  fileCheck?: string;
}

/**
 * The kind of file an input spec makes ComfyUI open, or undefined for any other input. Every
 * `*_upload` flag, every `image_folder` (whatever folder: LoadImageOutput's "output" too) and the
 * file-carrying widget types count: ComfyUI joins such a value to its folders without confining it.
 */
export function uploadKind(spec: unknown): MediaKind | undefined {
  const type = Array.isArray(spec) ? spec[0] : undefined;
  if (typeof type === 'string' && type in FILE_TYPES) return FILE_TYPES[type];
  const options = optionsOf(spec);
  const flag = Object.keys(options).find((key) => key.endsWith('_upload') && options[key] === true);
  if (flag) return kindOfFlag(flag);
  if (options.image_folder !== undefined) return 'image';
  return undefined;
}

/**
 * Whether a value from the spec's own list names a file on the endpoint that no execute wrote:
 * only lists of ComfyUI's input folder (baked-in files such as example.png). Lists of the output
 * or temp folder hold other executes' results, so they never count.
 */
export function listsEndpointFiles(spec: unknown): boolean {
  const folder = optionsOf(spec).image_folder;
  return (folder === undefined || folder === 'input') && comboOptions(spec) !== undefined;
}

/** Whether ComfyUI runs the node's own file check for this input rather than the combo list. */
export function hasNodeFileCheck(classType: string): boolean {
  return Object.hasOwn(NODE_FILE_CHECKS, classType);
}

/** A STRING file input (Painter's mask) left empty reads no file at all, as the node does. */
export function readsNoFile(spec: unknown, value: unknown): boolean {
  return Array.isArray(spec) && spec[0] === 'STRING' && typeof value === 'string' && value.trim() === '';
}

/** Every literal value of the prompt that names a file in ComfyUI's input folder. */
export function fileInputsOf(prompt: PromptGraph, catalog: NodeCatalog): FileInput[] {
  const found: FileInput[] = [];
  for (const [nodeId, node] of Object.entries(prompt)) {
    const spec = nodeSpec(catalog, node.class_type);
    if (!spec) continue;
    const declared = { ...spec.input?.required, ...spec.input?.optional };
    for (const [input, value] of Object.entries(node.inputs)) {
      const kind = Object.hasOwn(declared, input) ? uploadKind(declared[input]) : undefined;
      if (!kind || typeof value !== 'string' || readsNoFile(declared[input], value)) continue;
      found.push({
        nodeId,
        classType: node.class_type,
        input,
        value,
        kind,
        fileCheck: NODE_FILE_CHECKS[node.class_type],
      });
    }
  }
  return found;
}
