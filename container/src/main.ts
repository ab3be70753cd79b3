import { dirname, join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRunningRecordStore } from '../../lambda/adapters/dynamodb-running-record-store';
import { executeInputFolder } from '../../lambda/domain/inputs/staged-inputs';
import { AwsCallCounter } from '../../lambda/platform/aws-call-counter';
import { announceClient } from '../../lambda/platform/client-listeners';
import { CALLER_TOKEN_HEADER } from './caller-token';
import { ComfyUiClient } from './comfy-client';
import { sweepOldFiles } from './comfy-output-files';
import { containerConfig } from './config';
import { ModelCache } from './model-cache';
import { environmentModels, preloadModels } from './model-preload';
import { publishObjectInfo } from './publish-object-info';
import { parseStagedRequest, runInvocation } from './run-invocation';
import { cachedHealth, createContainerServer, gracefulStop, listen } from './server';
import { CONTAINER_USER_AGENT } from './user-agent';

// SageMaker sends SIGKILL 30 s after SIGTERM: a running invocation gets most of that to answer.
const STOP_GRACE_MS = 25_000;

/**
 * The endpoint container's adapter: SageMaker's /ping and /invocations in front of ComfyUI.
 * Started by the image's entrypoint beside ComfyUI, or by the local stack beside the simulator.
 */
export async function startContainer(env: Record<string, string | undefined> = process.env) {
  const config = containerConfig(env);
  const logger = new Logger({ serviceName: 'comfy-exec-endpoint' });
  // Each invocation logs the AWS calls it made (docs/performance.md counts them per execute).
  const calls = new AwsCallCounter();
  // Announced: the local stack holds their calls to the endpoint role's policy.
  const s3 = announceClient(
    calls.attach(new S3Client({ region: config.AWS_REGION, forcePathStyle: config.S3_FORCE_PATH_STYLE })),
  );
  const documents = DynamoDBDocumentClient.from(
    // Named in its user agent (CloudTrail's userAgent; the local stack's fault switches): the
    // records' writes that are the container's, not OnAsyncResult's.
    announceClient(
      calls.attach(new DynamoDBClient({ region: config.AWS_REGION, customUserAgent: CONTAINER_USER_AGENT })),
    ),
    {
      marshallOptions: { removeUndefinedValues: true },
    },
  );
  const comfy = new ComfyUiClient(
    config.COMFYUI_URL,
    config.COMFYUI_REQUEST_TIMEOUT_MS,
    config.COMFYUI_CALLER_TOKEN ? { [CALLER_TOKEN_HEADER]: config.COMFYUI_CALLER_TOKEN } : {},
  );
  const store = new DynamoDbRunningRecordStore(documents, config.TABLE_NAME);
  // '' : no folder ComfyUI reads models from is known here; executes needing one fail, saying so.
  const models = config.MODEL_CACHE_DIR
    ? new ModelCache({ dir: config.MODEL_CACHE_DIR, budgetBytes: config.MODEL_CACHE_BYTES, s3 })
    : undefined;
  // /ping stays failing until ComfyUI's catalog is in S3 as well as ComfyUI answering: an endpoint
  // InService before CreateExecute can read the nodes it runs would refuse valid prompts, and an
  // instance that cannot write to the bucket cannot store outputs either (SageMaker replaces it).
  let catalogPublished = !config.ENDPOINT_NAME;
  // ...and until the environment's models are on disk: a prompt must not find them missing.
  let modelsPresent = false;
  const modelsReady = preloadEnvironment(config, models, s3, logger).then((outcome) => {
    modelsPresent = outcome.present;
    return outcome;
  });
  const comfyHealthy = cachedHealth((timeoutMs) => comfy.isUp(timeoutMs));
  const server = createContainerServer(
    {
      healthy: async () => catalogPublished && modelsPresent && (await comfyHealthy()),
      invoke: async (body) => {
        const request = parseStagedRequest(body);
        // Every line of a run carries its prompt_id (the request's own, parsed): GetExecuteLogs
        // answers an execute the lines whose prompt_id field is its id.
        const child = logger.createChild({ persistentKeys: { prompt_id: request?.prompt_id } });
        const log = {
          info: (message: string, fields: Record<string, unknown> = {}) => child.info(message, fields),
          warn: (message: string, fields: Record<string, unknown> = {}) => child.warn(message, fields),
          error: (message: string, fields: Record<string, unknown> = {}) => child.error(message, fields),
        };
        return calls.run((awsCalls) =>
          runInvocation(request, { store, comfy, s3, config, log, awsCalls, models }),
        );
      },
    },
    { callerToken: config.LOCAL_CALLER_TOKEN },
  );
  const stopServer = gracefulStop(server);
  const port = await listen(server, config.PORT, config.LISTEN_HOST);
  logger.info('endpoint container listening', { port, comfyui: config.COMFYUI_URL });
  const sweeper = startSweeper(config, logger);
  const publishing = new AbortController();
  if (config.ENDPOINT_NAME) {
    // After the environment's models: ComfyUI lists a loader's files when asked, so a catalog
    // published before them would make CreateExecute refuse the very models the environment names.
    void modelsReady
      .then(() =>
        publishObjectInfo(
          comfy,
          s3,
          { bucket: config.BUCKET_NAME, endpointName: config.ENDPOINT_NAME },
          {
            signal: publishing.signal,
            log: (message) => logger.warn(message),
          },
        ),
      )
      .then((uri) => {
        if (!uri) return;
        catalogPublished = true;
        logger.info('object_info published', { uri });
      });
  }
  return {
    port,
    /** Settles once the environment's models are present, or given up on (with the last problem). */
    modelsReady,
    /** `graceMs`: how long running requests may take to answer (none by default, as tests stop it in process). */
    stop: async (graceMs = 0) => {
      publishing.abort();
      clearInterval(sweeper);
      await stopServer(graceMs);
    },
  };
}

/** Tries three times (transient S3 or network faults), then leaves the instance unhealthy, saying why. */
async function preloadEnvironment(
  config: ReturnType<typeof containerConfig>,
  models: ModelCache | undefined,
  s3: S3Client,
  logger: Logger,
): Promise<{ present: boolean; problem?: string }> {
  let problem = '';
  const waits = [0, config.MODEL_PRELOAD_RETRY_MS, 3 * config.MODEL_PRELOAD_RETRY_MS];
  for (const [attempt, wait] of waits.entries()) {
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      const wanted = await environmentModels(config.ENVIRONMENTS_DIR, config.COMFY_EXEC_ENVIRONMENT);
      if (wanted.length === 0) return { present: true };
      if (!models) throw new Error('MODEL_CACHE_DIR is empty: there is no folder to put them in');
      await preloadModels(wanted, {
        cache: models,
        s3,
        bucket: config.BUCKET_NAME,
        allowLoopbackHttp: config.ALLOW_LOOPBACK_INPUT_URLS,
        log: (message, fields) => logger.info(message, fields ?? {}),
      });
      logger.info('environment models present', {
        environment: config.COMFY_EXEC_ENVIRONMENT,
        models: wanted.length,
      });
      return { present: true };
    } catch (error) {
      problem = (error as Error).message;
      const last = attempt === waits.length - 1;
      logger.error(
        last
          ? "environment models could not be made present: this instance stays unhealthy (SageMaker's startup health check fails it)"
          : 'environment models could not be made present yet; trying again',
        { environment: config.COMFY_EXEC_ENVIRONMENT, error: (error as Error).message, attempt: attempt + 1 },
      );
    }
  }
  return { present: false, problem };
}

/**
 * Every OUTPUT_SWEEP_INTERVAL_SECONDS, removes what is older than the longest execute from ComfyUI's
 * output/ and temp/ and the container's input/comfy-exec/: what a run wrote after its deadline,
 * never reported, or could not store in S3.
 */
function startSweeper(config: ReturnType<typeof containerConfig>, logger: Logger): NodeJS.Timeout {
  const folders = { output: config.COMFYUI_OUTPUT_DIR, temp: config.COMFYUI_TEMP_DIR };
  if (!folders.output && !folders.temp)
    logger.warn(
      "ComfyUI's output and temp folders are unknown (COMFYUI_OUTPUT_DIR, COMFYUI_TEMP_DIR): the files of every execute stay in them",
    );
  // '' : inputs go through ComfyUI's upload route and are emptied there; nothing here to sweep.
  const inputs = config.COMFYUI_INPUT_DIR
    ? [join(config.COMFYUI_INPUT_DIR, dirname(executeInputFolder('x')))]
    : [];
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const removed = await sweepOldFiles(folders, config.OUTPUT_SWEEP_AGE_SECONDS * 1000, inputs);
      if (removed.length > 0)
        logger.info("old files swept from ComfyUI's folders", {
          files: removed.length,
          older_than_seconds: config.OUTPUT_SWEEP_AGE_SECONDS,
        });
    } catch (error) {
      logger.warn("sweep of ComfyUI's folders failed", { error: (error as Error).message });
    } finally {
      running = false;
    }
  }, config.OUTPUT_SWEEP_INTERVAL_SECONDS * 1000);
  timer.unref();
  return timer;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const container = await startContainer();
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void container.stop(STOP_GRACE_MS).then(() => process.exit(0)));
}
