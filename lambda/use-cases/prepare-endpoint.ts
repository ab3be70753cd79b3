import { EndpointNotFoundError, RequestValidationError } from '../domain/errors';
import { relativePathProblem } from '../domain/inputs/input-file-name';
import { modelNameProblem } from '../domain/models/model-folders';
import { isUnderPrefix, s3UriProblem } from '../domain/object-key';
import type { InputStore, PayloadStore } from '../domain/ports';
import { requireWriter } from './model-writers';

/** ESD's POST /prepare body (the fields it names; the rest of ESD's body is accepted and ignored). */
export interface PrepareRequest {
  endpoint_name: string;
  prepare_type: string;
  s3_source_path: string;
}

export interface PrepareDeps {
  payloads: PayloadStore;
  inputs: InputStore;
  /** API key ids that may change the model library. */
  writers: ReadonlySet<string>;
  config: {
    endpointNames: readonly string[];
    /** Buckets a prepare may copy from besides the caller's own inputs prefix. */
    readableBuckets: readonly string[];
    /** `s3://bucket/` of the payload bucket (and the model library). */
    payloadBucketUri: string;
  };
}

/** More objects than this in one prepare: API Gateway's 29 s would not hold the copies. */
export const MAX_PREPARE_OBJECTS = 100;
const CODE_TYPES = new Set(['nodes', 'custom', 'custom_nodes', 'other', 'default']);

/**
 * ESD's POST /prepare, for an endpoint that fetches what a prompt needs on demand: `models`
 * copies the prefix (`{folder}/{name}` below it) into the model library, `inputs` into the
 * caller's inputs, where every later execute finds them. Everything is checked before anything
 * is copied; nothing is left to sync later, so the endpoint is prepared when this answers.
 */
export async function prepareEndpoint(request: PrepareRequest, owner: string, deps: PrepareDeps) {
  if (!deps.config.endpointNames.includes(request.endpoint_name))
    throw new EndpointNotFoundError(
      `Endpoint '${request.endpoint_name}' is not served by this deployment; available: ${deps.config.endpointNames.join(', ')}`,
    );
  if (CODE_TYPES.has(request.prepare_type))
    throw new RequestValidationError(
      `prepare_type '${request.prepare_type}' would run code or install nodes on the instance: custom nodes belong in the endpoint image (container/README.md)`,
    );
  if (request.prepare_type !== 'models' && request.prepare_type !== 'inputs')
    throw new RequestValidationError(
      `prepare_type must be "models" or "inputs", not '${request.prepare_type}'`,
    );
  const bucket = /^s3:\/\/([^/]+)\/.*$/.exec(request.s3_source_path)?.[1];
  if (!bucket) throw new RequestValidationError('s3_source_path must be an s3://bucket/prefix/ URI');
  // Dot segments could leave the prefix checked below wherever keys are resolved (an emulator, a proxy).
  const problem = s3UriProblem(request.s3_source_path, { prefix: true });
  if (problem) throw new RequestValidationError(`s3_source_path ${request.s3_source_path} ${problem}`);
  const ownPrefix = deps.inputs.prefixOf(owner);
  if (!isUnderPrefix(request.s3_source_path, ownPrefix) && !deps.config.readableBuckets.includes(bucket))
    throw new RequestValidationError(
      `s3_source_path ${request.s3_source_path} is not readable by this deployment; use your inputs prefix (${ownPrefix}) or a bucket the operator allowed`,
    );
  if (request.prepare_type === 'models') requireWriter(owner, deps.writers);

  const prefix = request.s3_source_path.endsWith('/') ? request.s3_source_path : `${request.s3_source_path}/`;
  const { objects, truncated } = await deps.payloads.listUnder(prefix, MAX_PREPARE_OBJECTS);
  if (truncated)
    throw new RequestValidationError(
      `${prefix} holds more than ${MAX_PREPARE_OBJECTS} objects: prepare it in parts`,
    );
  if (objects.length === 0) throw new RequestValidationError(`${prefix} holds no objects`);
  const copies = objects.map((object) => {
    const relative = object.relativeKey;
    if (request.prepare_type === 'inputs') {
      const problem = relativePathProblem(relative);
      if (problem) throw new RequestValidationError(`${prefix}${relative} ${problem}`);
      return {
        from: `${prefix}${relative}`,
        to: deps.inputs.uriOf(owner, relative),
        name: relative,
        size: object.size,
      };
    }
    const [folder = '', ...rest] = relative.split('/');
    const name = rest.join('/');
    const problem = modelNameProblem(folder, name);
    if (problem) throw new RequestValidationError(`${prefix}${relative}: ${problem}`);
    return {
      from: `${prefix}${relative}`,
      to: `${deps.config.payloadBucketUri}models/${relative}`,
      name: relative,
      size: object.size,
    };
  });
  // Objects over 5 GiB are copied in parts (any object S3 holds, up to its 5 TB). A prefix of
  // the caller's own inputs prepared as inputs is already where it would go: nothing to copy
  // (S3 refuses a copy onto itself).
  for (const copy of copies)
    if (copy.from !== copy.to) await deps.payloads.copyObject(copy.from, copy.to, copy.size);
  return {
    endpoint_name: request.endpoint_name,
    prepare_type: request.prepare_type,
    s3_source_path: request.s3_source_path,
    prepared: copies.map(({ name, size }) => ({ name, size })),
    prepareSuccess: true,
  };
}
