import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { CachedModelLookup } from '../adapters/cached-model-lookup';
import { CloudWatchLogSearch } from '../adapters/cloudwatch-log-search';
import { resolveHostAddresses } from '../adapters/dns-host-resolver';
import { DynamoDbWaitSlots } from '../adapters/dynamodb-wait-slots';
import { S3ModelLibrary } from '../adapters/s3-model-library';
import { S3NodeCatalogSource } from '../adapters/s3-node-catalog';
import { S3PayloadStore } from '../adapters/s3-payload-store';
import { S3TemplateStore } from '../adapters/s3-template-store';
import { SageMakerAsyncInvoker } from '../adapters/sagemaker-async-invoker';
import type { InputStore } from '../domain/ports';
import type { WaitSlots } from '../domain/wait-slots';
import type { WebhookSpec } from '../domain/webhooks/webhook-spec';
import type { CancelExecuteDeps } from '../use-cases/cancel-execute';
import type { ComfyFacadeDeps } from '../use-cases/comfyui-facade';
import type { CreateExecuteDeps } from '../use-cases/create-execute';
import type { CreateInputDeps } from '../use-cases/create-input';
import type { DeleteExecutesDeps } from '../use-cases/delete-executes';
import type { GetExecuteDeps } from '../use-cases/get-execute';
import type { GetExecuteLogsDeps } from '../use-cases/get-execute-logs';
import type { ListExecutesDeps } from '../use-cases/list-executes';
import type { ModelLibraryDeps } from '../use-cases/model-writers';
import type { PrepareDeps } from '../use-cases/prepare-endpoint';
import type { RecordAsyncResultDeps } from '../use-cases/record-async-result';
import type { SweepDeps } from '../use-cases/sweep-executes';
import type { TemplatesDeps } from '../use-cases/templates';
import { tokenKey } from './browser-token-composition';
import { documentClient, logsClient, s3Client, s3UploadClient, sageMakerRuntimeClient } from './clients';
import {
  clientSettings,
  clock,
  dataAdapters,
  executeStore,
  ids,
  inputStore,
  type ModelFunction,
  sha256,
} from './composition-parts';
import { functionEnv } from './env';
import { usageStore } from './usage-composition';

/**
 * The Lambda runtime's composition root: each function's use-case dependencies, built from its
 * parsed environment. The local stack reuses it with emulator endpoints in the environment.
 * Shared building blocks (clients, stores, settings) are in composition-parts.ts.
 */

/**
 * The bundled core catalog, imported only when an endpoint has published none: most creates
 * validate against the endpoint's own object_info, so cold starts do not compile 40 KB of it.
 */
const loadCoreCatalog = () => import('../catalog/core-catalog').then((module) => module.coreCatalog());

let catalogSource: { s3: S3Client; bucket: string; source: S3NodeCatalogSource } | undefined;

/**
 * One catalog cache per container, so warm invocations reuse the endpoint's object_info. Rebuilt
 * when the client or bucket changes (the local stack and tests rebuild clients on restart), so it
 * never keeps calling an S3 endpoint that is gone.
 */
function nodeCatalogs(
  settings: { region: string; s3ForcePathStyle: boolean },
  bucket: string,
): S3NodeCatalogSource {
  const s3 = s3Client(settings);
  if (catalogSource?.s3 !== s3 || catalogSource.bucket !== bucket)
    catalogSource = { s3, bucket, source: new S3NodeCatalogSource(s3, bucket, loadCoreCatalog) };
  return catalogSource.source;
}

let lookup: { s3: S3Client; bucket: string; cached: CachedModelLookup } | undefined;

/** One model lookup cache per container (rebuilt when the client or bucket changes, as the catalog's). */
function modelLookup(settings: { region: string; s3ForcePathStyle: boolean }, bucket: string) {
  const s3 = s3Client(settings);
  if (lookup?.s3 !== s3 || lookup.bucket !== bucket)
    lookup = { s3, bucket, cached: new CachedModelLookup(new S3ModelLibrary(s3, s3, bucket)) };
  return lookup.cached;
}

/** CreateExecute's ports, for a function with CreateExecute's environment. */
function createDeps(name: 'create-execute' | 'comfyui-api'): CreateExecuteDeps {
  const env = functionEnv(name);
  const { store, payloads, settings } = dataAdapters(name);
  return {
    store,
    payloads,
    invoker: new SageMakerAsyncInvoker(sageMakerRuntimeClient(settings), {
      requestTtlSeconds: env.REQUEST_TTL_SECONDS,
      invocationTimeoutSeconds: env.INVOCATION_TIMEOUT_SECONDS,
    }),
    clock,
    ids,
    digest: sha256,
    catalogs: nodeCatalogs(settings, env.BUCKET_NAME),
    inputs: inputStore(name, env.RETENTION_DAYS),
    resolveHost: resolveHostAddresses,
    models: modelLookup(settings, env.BUCKET_NAME),
    usage: usageStore(name),
    // Loaded with the first execute queued: a cold start that queues none does not load it.
    onQueued: async (record) =>
      (await import('./metrics')).executeCreated(record.endpoint_name, record.template?.name),
    config: {
      defaultEndpointName: env.DEFAULT_ENDPOINT_NAME ?? env.ENDPOINT_NAMES[0]!,
      endpointNames: env.ENDPOINT_NAMES,
      retentionDays: env.RETENTION_DAYS,
      maxInlinePromptBytes: env.MAX_INLINE_PROMPT_BYTES,
      answerWithinSeconds: env.REQUEST_TTL_SECONDS + env.INVOCATION_TIMEOUT_SECONDS,
      maxPromptNodes: env.MAX_PROMPT_NODES,
      libraryBucketUri: `s3://${env.BUCKET_NAME}/`,
      inputs: {
        readableBuckets: env.INPUT_BUCKETS,
        allowLoopbackUrls: env.ALLOW_LOOPBACK_INPUT_URLS,
        maxInlineInputs: 100,
        maxSyncedFiles: 1000,
      },
      webhooks: {
        allowLocal: env.ALLOW_LOCAL_WEBHOOKS,
        defaults: JSON.parse(env.DEFAULT_WEBHOOKS) as Record<string, WebhookSpec>,
      },
      allowedNodes: JSON.parse(env.ALLOW_NODES) as Record<string, string[]>,
      maxUnfinishedPerKey: env.MAX_UNFINISHED_PER_KEY,
      gpuSecondsPerDay: JSON.parse(env.GPU_SECONDS_PER_DAY) as Record<string, number>,
    },
  };
}

/** CreateExecute's ports, and the caller's templates for a run by name. */
export const createExecuteDeps = () => ({
  ...createDeps('create-execute'),
  templates: templateStore('create-execute'),
});

function templateStore(name: 'create-execute' | 'templates' | 'list-executes') {
  return new S3TemplateStore(s3Client(clientSettings(name)), functionEnv(name).BUCKET_NAME);
}

/** ESD's /schemas: the caller's templates, typed by the catalog of the endpoint each runs on. */
export function templatesDeps(): TemplatesDeps {
  const env = functionEnv('templates');
  return {
    templates: templateStore('templates'),
    catalogs: nodeCatalogs(clientSettings('templates'), env.BUCKET_NAME),
    clock,
    config: {
      defaultEndpointName: env.DEFAULT_ENDPOINT_NAME ?? env.ENDPOINT_NAMES[0]!,
      endpointNames: env.ENDPOINT_NAMES,
      maxPromptNodes: env.MAX_PROMPT_NODES,
    },
  };
}

/**
 * What a create that waits needs besides CreateExecute's ports: a timer, how to show the finished
 * execute (as GetExecute does), and the per-key cap on creates holding their caller
 * (MAX_WAITING_PER_KEY).
 */
export function createExecuteWaitDeps() {
  const env = functionEnv('create-execute');
  const slots: WaitSlots =
    env.MAX_WAITING_PER_KEY === 0
      ? { take: async () => undefined }
      : new DynamoDbWaitSlots(
          documentClient(clientSettings('create-execute')),
          env.TABLE_NAME,
          env.MAX_WAITING_PER_KEY,
        );
  return { sleep, config: { presignTtlSeconds: env.PRESIGN_TTL_SECONDS }, slots };
}

export function comfyuiFacadeDeps(): ComfyFacadeDeps {
  const env = functionEnv('comfyui-api');
  const settings = clientSettings('comfyui-api');
  return {
    ...createDeps('comfyui-api'),
    presignTtlSeconds: env.PRESIGN_TTL_SECONDS,
    library: new S3ModelLibrary(s3Client(settings), s3UploadClient(settings), env.BUCKET_NAME),
    webSocketUrl: env.COMFYUI_WEBSOCKET_URL,
    tokenKey: tokenKey('comfyui-api'),
  };
}

export function createInputDeps(): CreateInputDeps {
  const env = functionEnv('create-input');
  return {
    inputs: inputStore('create-input', env.RETENTION_DAYS),
    clock,
    ids,
    config: {
      maxInputBytes: env.MAX_INPUT_BYTES,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      retentionDays: env.RETENTION_DAYS,
    },
  };
}

/** The model library on the payload bucket; `writers` from the function's MODEL_WRITERS. */
function modelLibraryDeps(name: ModelFunction, writers: readonly string[] = []): ModelLibraryDeps {
  const settings = clientSettings(name);
  const bucket = functionEnv(name).BUCKET_NAME;
  const upload = name === 'start-model-upload' ? functionEnv('start-model-upload') : undefined;
  return {
    models: new S3ModelLibrary(s3Client(settings), s3UploadClient(settings), bucket),
    clock,
    config: {
      writers: new Set(writers),
      maxModelBytes: upload?.MAX_MODEL_BYTES ?? Number.POSITIVE_INFINITY,
      uploadUrlTtlSeconds: upload?.MODEL_UPLOAD_URL_TTL_SECONDS ?? 0,
      ...(upload ? { partBytes: upload.MODEL_PART_BYTES } : {}),
    },
  };
}

export const startModelUploadDeps = () =>
  modelLibraryDeps('start-model-upload', functionEnv('start-model-upload').MODEL_WRITERS);
export const completeModelUploadDeps = () =>
  modelLibraryDeps('complete-model-upload', functionEnv('complete-model-upload').MODEL_WRITERS);
export const listModelsDeps = () => modelLibraryDeps('list-models');
export const deleteModelDeps = () =>
  modelLibraryDeps('delete-model', functionEnv('delete-model').MODEL_WRITERS);

export function prepareEndpointDeps(): PrepareDeps {
  const env = functionEnv('prepare-endpoint');
  const settings = clientSettings('prepare-endpoint');
  return {
    payloads: new S3PayloadStore(s3Client(settings), env.BUCKET_NAME),
    inputs: inputStore('prepare-endpoint', env.RETENTION_DAYS),
    writers: new Set(env.MODEL_WRITERS),
    config: {
      endpointNames: env.ENDPOINT_NAMES,
      readableBuckets: env.INPUT_BUCKETS,
      payloadBucketUri: `s3://${env.BUCKET_NAME}/`,
    },
  };
}

export function listInputsDeps(): { inputs: InputStore } {
  return { inputs: inputStore('list-inputs', functionEnv('list-inputs').RETENTION_DAYS) };
}

export function deleteInputDeps(): { inputs: InputStore } {
  return { inputs: inputStore('delete-input', functionEnv('delete-input').RETENTION_DAYS) };
}

export function getExecuteDeps(): GetExecuteDeps {
  return {
    ...dataAdapters('get-execute'),
    config: { presignTtlSeconds: functionEnv('get-execute').PRESIGN_TTL_SECONDS },
  };
}

export function listExecutesDeps(): ListExecutesDeps {
  return {
    ...dataAdapters('list-executes'),
    templates: templateStore('list-executes'),
    config: { presignTtlSeconds: functionEnv('list-executes').PRESIGN_TTL_SECONDS },
  };
}

export function deleteExecutesDeps(): DeleteExecutesDeps {
  return dataAdapters('delete-executes');
}

export function cancelExecuteDeps(): CancelExecuteDeps {
  return { store: executeStore('cancel-execute'), clock };
}

export function getExecuteLogsDeps(): GetExecuteLogsDeps {
  const env = functionEnv('get-execute-logs');
  return {
    store: executeStore('get-execute-logs'),
    clock,
    logs: new CloudWatchLogSearch(logsClient(clientSettings('get-execute-logs')), {
      maxWaitMs: env.LOG_QUERY_MAX_WAIT_MS,
      pollIntervalMs: 500,
    }),
  };
}

export function recordAsyncResultDeps(): RecordAsyncResultDeps {
  const { store, payloads } = dataAdapters('on-async-result');
  return { store, payloads, clock };
}

export function sweepExecutesDeps(): SweepDeps {
  const env = functionEnv('sweeper');
  const { store, payloads } = dataAdapters('sweeper');
  return {
    store,
    payloads,
    clock,
    config: { graceSeconds: env.SWEEP_GRACE_SECONDS, batchSize: env.SWEEP_BATCH_SIZE },
  };
}
