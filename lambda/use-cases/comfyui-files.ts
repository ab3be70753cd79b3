import { parseExecuteSubfolder } from '../domain/comfyui/execute-subfolder';
import { ExecuteNotFoundError, RequestValidationError } from '../domain/errors';
import type { ExecuteOutputs } from '../domain/execute-outputs';
import { keyProblem } from '../domain/object-key';
import { type ComfyFacadeDeps, ownedRecords } from './comfyui-facade';
import { joinS3, recordedOutputs } from './execute-view';
import { findOwnedExecute } from './get-execute';

/** A file of ComfyUI's `{filename, subfolder, type}`, as /view and /upload/mask name one. */
export interface ComfyFileRef {
  filename: string;
  subfolder: string;
  type: string;
}

type Paths = { output_path: string; temp_path: string };

/** What finding and signing one of the caller's files needs (also without the rest of the facade). */
export type ComfyFileDeps = Pick<ComfyFacadeDeps, 'store' | 'inputs' | 'payloads' | 'presignTtlSeconds'>;

/** The stored file's s3:// URI among one execute's outputs (`subfolder` as ComfyUI gave it). */
function fileIn(outputs: ExecuteOutputs | null, paths: Paths, file: ComfyFileRef): string | undefined {
  for (const ui of Object.values(outputs ?? {}))
    for (const value of Object.values(ui ?? {}))
      for (const item of Array.isArray(value) ? value : []) {
        const found = item as { filename?: unknown; subfolder?: unknown; type?: unknown; key?: unknown };
        if (
          found.filename === file.filename &&
          (found.subfolder ?? '') === file.subfolder &&
          (found.type ?? 'output') === file.type &&
          typeof found.key === 'string'
        )
          return joinS3(file.type === 'temp' ? paths.temp_path : paths.output_path, found.key);
      }
  return undefined;
}

/** The s3:// URI of one of the caller's files (an uploaded input, an output or a preview), or undefined. */
export async function ownedFileUri(owner: string, file: ComfyFileRef, deps: ComfyFileDeps) {
  // Both become (part of) an S3 key: dot segments could leave the caller's prefix where keys are resolved.
  const problem = file.filename.includes('/') ? 'must be a file name, not a path' : keyProblem(file.filename);
  if (problem) throw new RequestValidationError(`filename '${file.filename}' ${problem}`);
  const folderProblem = file.subfolder === '' ? undefined : keyProblem(file.subfolder);
  if (folderProblem) throw new RequestValidationError(`subfolder '${file.subfolder}' ${folderProblem}`);
  if (file.filename.includes('..') || file.subfolder.includes('..'))
    throw new RequestValidationError(`filename or subfolder: '..' is not allowed`);
  if (file.type === 'input') {
    const input = await deps.inputs.find(owner, file.filename);
    return input && deps.inputs.uriOf(owner, input.name);
  }
  // As /history and the websocket name files: under their execute's subfolder, found with one
  // read of that execute (and its outputs object, when they were stored beside the record).
  const ours = parseExecuteSubfolder(file.subfolder);
  if (ours) {
    const record = await findOwnedExecute(deps.store, ours.promptId, owner).catch((error: unknown) => {
      if (error instanceof ExecuteNotFoundError) return undefined;
      throw error;
    });
    if (!record) return undefined;
    return fileIn(await recordedOutputs(record, deps.payloads), record, {
      ...file,
      subfolder: ours.subfolder,
    });
  }
  // A name without its execute (links made before executes had subfolders): the newest of the
  // caller's executes that saved it.
  for (const summary of await ownedRecords(owner, deps)) {
    const uri = fileIn(summary.outputs ?? null, summary, file);
    if (uri) return uri;
  }
  return undefined;
}

/** GET /view: a pre-signed URL of one of the caller's files, or undefined (404). */
export async function viewUrl(
  owner: string,
  file: ComfyFileRef,
  deps: ComfyFileDeps,
): Promise<string | undefined> {
  const uri = await ownedFileUri(owner, file, deps);
  return uri && deps.payloads.presignGet(uri, deps.presignTtlSeconds);
}
