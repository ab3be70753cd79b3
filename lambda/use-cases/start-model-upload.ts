import { InputTooLargeError, ModelExistsError } from '../domain/errors';
import { type ModelImportStore, stillRunning } from '../domain/models/model-import';
import { planParts } from '../domain/models/multipart-plan';
import { checkNewModel, type ModelLibraryDeps, refuseExisting } from './model-writers';

export interface StartModelUploadRequest {
  folder: string;
  name: string;
  size: number;
  sha256?: string;
  /** Replace a model of the same name (executes that already cached the old one keep it). */
  overwrite?: boolean;
}

/**
 * StartModelUpload: a multipart upload straight to the library, one presigned URL per part, each
 * accepting exactly its part's size (so the parts add up to the declared size).
 */
export async function startModelUpload(
  request: StartModelUploadRequest,
  owner: string,
  deps: ModelLibraryDeps & { imports?: ModelImportStore },
) {
  checkNewModel(request, owner, deps.config.writers);
  // An import of the name that has not ended would publish over this upload (or fail on it).
  const importing = await deps.imports?.read(request.folder, request.name);
  if (importing && deps.imports && (await stillRunning(importing, deps.imports)))
    throw new ModelExistsError(
      `${request.folder}/${request.name} is being imported (from ${importing.source}); wait for it to end, or DELETE /models/${request.folder}/${request.name} to stop it`,
    );
  if (request.size > deps.config.maxModelBytes)
    throw new InputTooLargeError(
      `size ${request.size} bytes is over this deployment's limit of ${deps.config.maxModelBytes} bytes per model`,
    );
  await refuseExisting(request, deps.models);
  const uploadId = await deps.models.startUpload(request);
  const plan = planParts(request.size, deps.config.partBytes);
  const ttl = deps.config.uploadUrlTtlSeconds;
  const parts = await Promise.all(
    plan.parts.map(async (size, index) => ({
      part_number: index + 1,
      size,
      url: await deps.models.presignPart(request.folder, request.name, uploadId, index + 1, size, ttl),
    })),
  );
  return {
    folder: request.folder,
    name: request.name,
    size: request.size,
    sha256: request.sha256 ?? null,
    upload_id: uploadId,
    part_size: plan.partSize,
    parts,
    expires_at: new Date(deps.clock.now().getTime() + ttl * 1000).toISOString(),
  };
}
