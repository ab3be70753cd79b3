import { ForbiddenError, ModelExistsError, RequestValidationError } from '../domain/errors';
import { modelNameProblem } from '../domain/models/model-folders';
import type { Clock, ModelLibrary } from '../domain/ports';

export interface ModelLibraryDeps {
  models: ModelLibrary;
  clock: Clock;
  config: {
    /** The API key ids that may add and delete models; everyone may list. */
    writers: ReadonlySet<string>;
    maxModelBytes: number;
    /** How long the part URLs stay valid: long enough for the largest upload. */
    uploadUrlTtlSeconds: number;
    /** Preferred part size (S3's minimum is 5 MiB). @default 64 MiB */
    partBytes?: number;
  };
}

/** Only the operator's model writers change the library; everyone may list it. */
export function requireWriter(owner: string, writers: ReadonlySet<string>) {
  if (!writers.has(owner))
    throw new ForbiddenError(
      "this API key may not change the model library (the operator's modelWriters list)",
    );
}

/** A folder and name the library can hold, or a 400 naming what is wrong. */
export function checkName(folder: string, name: string) {
  const problem = modelNameProblem(folder, name);
  if (problem) throw new RequestValidationError(problem);
}

/** What every way of adding a model checks first: the writer, the folder and name, the digest's form. */
export function checkNewModel(
  request: { folder: string; name: string; sha256?: string | undefined },
  owner: string,
  writers: ReadonlySet<string>,
) {
  requireWriter(owner, writers);
  checkName(request.folder, request.name);
  if (request.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(request.sha256))
    throw new RequestValidationError('sha256 must be 64 lowercase hex digits');
}

/** A model of that folder and name is replaced only when asked (409 otherwise). */
export async function refuseExisting(
  request: { folder: string; name: string; overwrite?: boolean | undefined },
  models: ModelLibrary,
) {
  if (!request.overwrite && (await models.find(request.folder, request.name)))
    throw new ModelExistsError(
      `${request.folder}/${request.name} is already in the library; send overwrite: true to replace it`,
    );
}
