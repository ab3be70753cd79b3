import { createHash, randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { startContainer } from '../../container/src/main';
import { DynamoDbExecuteStore } from '../../lambda/adapters/dynamodb-execute-store';
import { S3InputStore } from '../../lambda/adapters/s3-input-store';
import { S3ModelLibrary } from '../../lambda/adapters/s3-model-library';
import { S3PayloadStore } from '../../lambda/adapters/s3-payload-store';
import { parseS3Uri } from '../../lambda/adapters/s3-uri';
import { coreCatalog } from '../../lambda/catalog/core-catalog';
import type { NodeCatalog } from '../../lambda/domain/workflow/node-catalog';
import { type CreateExecuteInput, createExecute } from '../../lambda/use-cases/create-execute';
import { type ComfyUiSimulatorOptions, startComfyUiSimulator } from '../../local/comfyui-simulator/server';
import { RecordingInvoker } from '../fakes/recording-invoker';
import { createInput } from '../fixtures/prompts';
import {
  freshTableAndBucket,
  localClients,
  localLambdaEnvironment,
  usageTableOf,
} from '../support/local-aws';

/**
 * The endpoint container as SageMaker runs it, beside the ComfyUI simulator, on DynamoDB
 * Local and s3rver. Executes are created by the real CreateExecute use case; `invoke` posts the
 * staged request to /invocations as SageMaker would.
 */
export async function startContainerHarness(
  options: {
    simulator?: ComfyUiSimulatorOptions;
    comfyUrl?: string;
    env?: Record<string, string>;
    /** The S3 endpoint the container uses (a proxy in front of s3rver); default s3rver itself. */
    s3Endpoint?: string;
  } = {},
) {
  const clients = localClients();
  const { tableName, bucketName, drop } = await freshTableAndBucket(clients);
  const simulator = options.comfyUrl
    ? undefined
    : await startComfyUiSimulator({ stepMs: 2, ...options.simulator });
  // The SDK reads credentials and AWS_ENDPOINT_URL_* from process.env, as in the image.
  Object.assign(process.env, localLambdaEnvironment(tableName, bucketName));
  if (options.s3Endpoint) process.env.AWS_ENDPOINT_URL_S3 = options.s3Endpoint;
  const container = await startContainer({
    ...process.env,
    PORT: '0',
    COMFYUI_URL: options.comfyUrl ?? simulator!.url,
    ENDPOINT_NAME: 'comfy-async-test',
    CANCEL_POLL_MS: '50',
    PROGRESS_WRITE_INTERVAL_MS: '100',
    COMFYUI_REQUEST_TIMEOUT_MS: '2000',
    // The simulator's folders, as the image's are ComfyUI's: the container removes each run's files.
    ...(simulator
      ? {
          COMFYUI_INPUT_DIR: simulator.files.dir('input'),
          COMFYUI_OUTPUT_DIR: simulator.files.dir('output'),
          COMFYUI_TEMP_DIR: simulator.files.dir('temp'),
        }
      : { COMFYUI_OUTPUT_DIR: '', COMFYUI_TEMP_DIR: '' }),
    ...options.env,
  });
  const url = `http://127.0.0.1:${container.port}`;
  const store = new DynamoDbExecuteStore(clients.documents, tableName, usageTableOf(tableName));
  const payloads = new S3PayloadStore(clients.s3, bucketName);

  async function create(overrides: Partial<CreateExecuteInput> = {}, catalog: NodeCatalog = coreCatalog()) {
    const { record } = await createExecute(createInput(overrides), 'owner-a', {
      store,
      payloads,
      invoker: new RecordingInvoker(),
      clock: { now: () => new Date() },
      ids: { newId: () => randomUUID() },
      digest: (text) => createHash('sha256').update(text).digest('hex'),
      catalogs: { forEndpoint: async () => catalog },
      config: {
        defaultEndpointName: 'comfy-async-test',
        endpointNames: ['comfy-async-test'],
        retentionDays: 1,
        maxInlinePromptBytes: 300_000,
        answerWithinSeconds: 3600,
        libraryBucketUri: `s3://${bucketName}/`,
        inputs: { readableBuckets: [], allowLoopbackUrls: true, maxInlineInputs: 100, maxSyncedFiles: 1000 },
      },
      models: new S3ModelLibrary(clients.s3, clients.s3, bucketName),
      inputs: new S3InputStore(clients.s3, clients.s3, bucketName, 1),
      resolveHost: async () => ['127.0.0.1'],
    });
    return record;
  }

  /** Posts the staged request as SageMaker would; `edit` changes it first (older request formats). */
  async function invoke(promptPath: string, edit?: (staged: Record<string, unknown>) => void) {
    const { bucket, key } = parseS3Uri(promptPath);
    const staged = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    let body = await staged.Body!.transformToString();
    if (edit) {
      const request = JSON.parse(body) as Record<string, unknown>;
      edit(request);
      body = JSON.stringify(request);
    }
    const response = await fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body,
    });
    expect(response.headers.get('content-length')).not.toBeNull();
    return { status: response.status, body: (await response.json()) as any };
  }

  /** Waits (up to 4 s) until the container has written the execute's first progress. */
  async function untilProgress(promptId: string) {
    for (let i = 0; i < 200 && (await store.get(promptId))?.progress == null; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** The record once final: the container writes it as it answers, beside (not before) the answer. */
  async function untilFinal(promptId: string) {
    for (let i = 0; i < 500; i++) {
      const record = await store.get(promptId);
      if (record && ['success', 'failed', 'cancelled'].includes(record.status)) return record;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`execute ${promptId} never became final`);
  }

  return {
    clients,
    tableName,
    bucketName,
    simulator,
    url,
    /** Settles once the environment's models are present, or given up on (with the last problem). */
    modelsReady: container.modelsReady,
    store,
    create,
    invoke,
    untilProgress,
    untilFinal,
    stop: async () => {
      await container.stop();
      await simulator?.stop();
      await drop();
    },
  };
}
