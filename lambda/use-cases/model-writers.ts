import { ForbiddenError, RequestValidationError } from '../domain/errors';
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
