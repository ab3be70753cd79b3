import { InputTooLargeError, RequestValidationError } from '../domain/errors';
import { filenameProblem } from '../domain/inputs/input-file-name';
import { ACCEPTED_CONTENT_TYPES, bareContentType, isAcceptedContentType } from '../domain/inputs/media-kinds';
import { mintUploadedInputName } from '../domain/inputs/uploaded-input-name';
import type { Clock, IdGenerator, InputStore, PresignedUpload } from '../domain/ports';

export interface CreateInputRequest {
  filename: string;
  content_type: string;
  size: number;
  /** Hex SHA-256 of the bytes: kept with the input so a client can find an upload of the same file. */
  sha256?: string;
}

export interface CreateInputDeps {
  inputs: InputStore;
  clock: Clock;
  ids: IdGenerator;
  config: {
    /** Largest file accepted, in bytes. */
    maxInputBytes: number;
    /** How long the upload URL stays valid. */
    uploadUrlTtlSeconds: number;
    retentionDays: number;
  };
}

export interface CreatedInput {
  /** What a prompt puts in the file input (`"image": name`). */
  name: string;
  filename: string;
  content_type: string;
  size: number;
  /** The caller's inputs prefix, for `s3://` sources and `prepare_props.s3_source_path`. */
  s3_uri: string;
  upload: PresignedUpload & { expires_at: string };
  /** Epoch seconds after which the uploaded input is removed (the bucket's retention). */
  expires_at: number;
}

/**
 * CreateInput: names a new input and hands out an upload URL that accepts exactly the declared
 * size and content type. Nothing is stored until the client uploads.
 */
export async function createInput(
  request: CreateInputRequest,
  owner: string,
  deps: CreateInputDeps,
): Promise<CreatedInput> {
  const problem = filenameProblem(request.filename);
  if (problem) throw new RequestValidationError(`filename ${problem}`);
  if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(request.sha256))
    throw new RequestValidationError('sha256 must be 64 lowercase hex digits');
  if (!isAcceptedContentType(request.content_type))
    throw new RequestValidationError(
      `content_type '${request.content_type}' is not an image, audio, video or 3D type ComfyUI loads; accepted: ${ACCEPTED_CONTENT_TYPES.join(', ')}`,
    );
  if (request.size > deps.config.maxInputBytes)
    throw new InputTooLargeError(
      `size ${request.size} bytes is over this deployment's limit of ${deps.config.maxInputBytes} bytes per input`,
    );
  const now = deps.clock.now();
  // A UUID's hex digits are base-36 digits too: 8 of them keep same-millisecond uploads apart.
  const random = deps.ids.newId().replace(/-/g, '').slice(0, 8);
  const name = mintUploadedInputName(request.filename, now, random);
  const contentType = bareContentType(request.content_type);
  const upload = await deps.inputs.presignUpload(
    owner,
    name,
    {
      filename: request.filename,
      contentType,
      size: request.size,
      ...(request.sha256 ? { sha256: request.sha256 } : {}),
    },
    deps.config.uploadUrlTtlSeconds,
  );
  return {
    name,
    filename: request.filename,
    content_type: contentType,
    size: request.size,
    s3_uri: deps.inputs.uriOf(owner, name),
    upload: {
      ...upload,
      expires_at: new Date(now.getTime() + deps.config.uploadUrlTtlSeconds * 1000).toISOString(),
    },
    expires_at: Math.floor(now.getTime() / 1000) + deps.config.retentionDays * 86_400,
  };
}
