import type { PromptGraph } from '../prompt-graph';
import { type NodeCatalog, nodeSpec, optionsOf } from '../workflow/node-catalog';
import type { MediaKind } from './media-kinds';

/** The spec options that mark an input as a file in ComfyUI's input folder, and the kind of file. */
const UPLOAD_FLAGS: [string, MediaKind][] = [
  ['image_upload', 'image'],
  ['audio_upload', 'audio'],
  ['video_upload', 'video'],
  ['file_upload', 'model3d'],
];

/**
 * Nodes whose own file check ComfyUI runs instead of the combo list (VALIDATE_INPUTS /
 * validate_inputs: `folder_paths.exists_annotated_filepath`), with the word their message uses.
 * Checked against the real server: `custom_validation_failed`, "image - Invalid image file: x".
 */
const NODE_FILE_CHECKS: Record<string, string> = {
  LoadImage: 'image',
  LoadImageMask: 'image',
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

/** The kind of file an input spec reads from the input folder, or undefined for any other input. */
export function uploadKind(spec: unknown): MediaKind | undefined {
  const options = optionsOf(spec);
  // LoadImageOutput's image_folder 'output' reads ComfyUI's outputs, not inputs.
  if (options.image_folder !== undefined && options.image_folder !== 'input') return undefined;
  return UPLOAD_FLAGS.find(([flag]) => options[flag] === true)?.[1];
}

/** Whether ComfyUI runs the node's own file check for this input rather than the combo list. */
export function hasNodeFileCheck(classType: string): boolean {
  return classType in NODE_FILE_CHECKS;
}

/** Every literal value of the prompt that names a file in ComfyUI's input folder. */
export function fileInputsOf(prompt: PromptGraph, catalog: NodeCatalog): FileInput[] {
  const found: FileInput[] = [];
  for (const [nodeId, node] of Object.entries(prompt)) {
    const spec = nodeSpec(catalog, node.class_type);
    if (!spec) continue;
    const declared = { ...spec.input?.required, ...spec.input?.optional };
    for (const [input, value] of Object.entries(node.inputs)) {
      const kind = uploadKind(declared[input]);
      if (!kind || typeof value !== 'string') continue;
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
