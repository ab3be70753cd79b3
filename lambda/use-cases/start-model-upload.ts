import { InputTooLargeError, ModelExistsError, RequestValidationError } from '../domain/errors';
import { planParts } from '../domain/models/multipart-plan';
import { checkName, type ModelLibraryDeps, requireWriter } from './model-writers';

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
  requireWriter(owner, deps.config.writers);
  checkName(request.folder, request.name);
  if (request.size > deps.config.maxModelBytes)
    throw new InputTooLargeError(
      `size ${request.size} bytes is over this deployment's limit of ${deps.config.maxModelBytes} bytes per model`,
    );
  if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(request.sha256))
    throw new RequestValidationError('sha256 must be 64 lowercase hex digits');
  if (!request.overwrite && (await deps.models.find(request.folder, request.name)))
    throw new ModelExistsError(
      `${request.folder}/${request.name} is already in the library; send overwrite: true to replace it`,
    );
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
