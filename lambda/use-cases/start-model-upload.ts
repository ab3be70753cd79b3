import { InputTooLargeError } from '../domain/errors';
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
  deps: ModelLibraryDeps,
) {
  checkNewModel(request, owner, deps.config.writers);
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
