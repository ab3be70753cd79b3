import { createHash, randomUUID } from 'node:crypto';
import { DynamoDbExecuteStore } from '../adapters/dynamodb-execute-store';
import { S3InputStore } from '../adapters/s3-input-store';
import { S3PayloadStore } from '../adapters/s3-payload-store';
import type { Clock, Digest, IdGenerator } from '../domain/ports';
import { documentClient, s3Client, s3UploadClient } from './clients';
import { type FunctionName, functionEnv } from './env';

/** The building blocks the composition root assembles each function's dependencies from. */
export const clock: Clock = { now: () => new Date() };
export const ids: IdGenerator = { newId: () => randomUUID() };
export const sha256: Digest = (text) => createHash('sha256').update(text).digest('hex');

export type DataFunction = Exclude<
  FunctionName,
  | 'health'
  | 'api-doc'
  | 'list-endpoints'
  | 'get-prepare'
  | 'comfyui-socket'
  | 'comfyui-socket-authorizer'
  | 'comfyui-events'
  | 'webhook-secret'
  | 'workflows'
  | 'get-usage'
  | 'dispatch-webhooks'
  | 'deliver-webhooks'
  | 'import-model'
>;
export type InputFunction =
  | 'create-execute'
  | 'comfyui-api'
  | 'comfyui-token-view'
  | 'create-input'
  | 'list-inputs'
  | 'delete-input'
  | 'prepare-endpoint';
export type ModelFunction = 'start-model-upload' | 'complete-model-upload' | 'list-models' | 'delete-model';
/** Functions that use the execute table (the input and model functions use only the bucket). */
export type TableFunction = Exclude<
  DataFunction,
  | Exclude<InputFunction, 'create-execute' | 'comfyui-api' | 'comfyui-token-view'>
  | ModelFunction
  | 'templates'
>;

export function clientSettings(name: DataFunction) {
  const env = functionEnv(name);
  return { region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE };
}

/** The execute table alone: functions that never touch S3 do not build (or bundle) an S3 client. */
export function executeStore(name: TableFunction): DynamoDbExecuteStore {
  const env = functionEnv(name);
  // Functions that finish or delete executes add their usage (the others never write it).
  const usageTable = 'USAGE_TABLE_NAME' in env ? env.USAGE_TABLE_NAME : undefined;
  return new DynamoDbExecuteStore(documentClient(clientSettings(name)), env.TABLE_NAME, usageTable, (usage) =>
    // Loaded when an execute ends: most requests of these functions end none.
    import('./metrics').then((metrics) => metrics.executeEnded(usage)),
  );
}

/** Uploaded inputs: the caller's prefix of the payload bucket. */
export function inputStore(name: InputFunction, retentionDays: number): S3InputStore {
  const settings = clientSettings(name);
  return new S3InputStore(
    s3Client(settings),
    s3UploadClient(settings),
    functionEnv(name).BUCKET_NAME,
    retentionDays,
  );
}

export function dataAdapters(name: TableFunction) {
  const settings = clientSettings(name);
  return {
    store: executeStore(name),
    payloads: new S3PayloadStore(s3Client(settings), functionEnv(name).BUCKET_NAME),
    settings,
  };
}
