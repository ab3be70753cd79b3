import type { MediaKind } from './media-kinds';

/** One file the container puts in the execute's input folder before ComfyUI runs the prompt. */
export interface StagedInputFile {
  /** Its path inside the execute's input folder (a file name; synced files keep their folders). */
  name: string;
  /** `s3://bucket/key` or `https://…` (fetched by the container, never by a Lambda). */
  source: string;
  /** The declared content type, when one was declared; the container checks the bytes against it. */
  content_type?: string;
}

/** A prompt input the container points at a staged file: `comfy-exec/{prompt_id}/{name}`. */
export interface InputBinding {
  node_id: string;
  input: string;
  name: string;
  /** What the node reads: the container checks the file's magic bytes against it. */
  kind: MediaKind;
}

/** What CreateExecute stages beside the prompt for the container. */
export interface StagedInputs {
  input_files: StagedInputFile[];
  input_bindings: InputBinding[];
}

/** ComfyUI's input folder holds each execute's files apart: `comfy-exec/{prompt_id}/`. */
export function executeInputFolder(promptId: string): string {
  return `comfy-exec/${promptId}`;
}
