import { RequestValidationError } from '../domain/errors';
import type { StoredModel, UploadedPart } from '../domain/ports';
import { checkName, type ModelLibraryDeps, requireWriter } from './model-writers';

export interface CompleteModelUploadRequest {
  folder: string;
  name: string;
  upload_id: string;
  parts: UploadedPart[];
}

/** CompleteModelUpload: S3 assembles the parts; a wrong part list or a short total is refused. */
export async function completeModelUpload(
  request: CompleteModelUploadRequest,
  owner: string,
  deps: ModelLibraryDeps,
): Promise<StoredModel> {
  requireWriter(owner, deps.config.writers);
  checkName(request.folder, request.name);
  const outcome = await deps.models.complete(request.folder, request.name, request.upload_id, request.parts);
  if ('refused' in outcome)
    throw new RequestValidationError(`the upload cannot be completed: ${outcome.refused}`);
  const { model, declaredSize: declared } = outcome;
  if (declared !== undefined && declared !== model.size) {
    // Parts left out: what S3 assembled is not the model that was declared.
    await deps.models.delete(request.folder, request.name);
    throw new RequestValidationError(
      `the parts add up to ${model.size} bytes, not the ${declared} declared: the upload was discarded; start it again`,
    );
  }
  return model;
}
