import { RequestValidationError } from '../domain/errors';
import { filenameProblem } from '../domain/inputs/input-file-name';
import { bareContentType, isAcceptedContentType } from '../domain/inputs/media-kinds';
import { mintUploadedInputName } from '../domain/inputs/uploaded-input-name';
import type { Clock, IdGenerator, InputStore } from '../domain/ports';

export interface ComfyUploadDeps {
  inputs: InputStore;
  clock: Clock;
  ids: IdGenerator;
}

/** One file of ComfyUI's upload form: its name as sent, its declared type and its bytes. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * ComfyUI's POST /upload/image: the file becomes one of the caller's inputs (as POST /inputs
 * and a PUT would make it) and the answer names it as ComfyUI does, `{name, subfolder, type}`.
 * Prompts use `name`; every upload gets a name of its own, so nothing is ever overwritten.
 */
export async function uploadImage(file: UploadedFile, owner: string, deps: ComfyUploadDeps) {
  const problem = filenameProblem(file.filename);
  if (problem) throw new RequestValidationError(`image: the file name ${problem}`);
  if (!isAcceptedContentType(file.contentType))
    throw new RequestValidationError(
      `image: '${file.contentType}' is not an image, audio, video or 3D type ComfyUI loads`,
    );
  if (file.bytes.byteLength === 0) throw new RequestValidationError('image: the file is empty');
  const random = deps.ids.newId().replace(/-/g, '').slice(0, 8);
  const name = mintUploadedInputName(file.filename, deps.clock.now(), random);
  await deps.inputs.put(owner, name, file.bytes, bareContentType(file.contentType));
  return { name, subfolder: '', type: 'input' as const };
}
