import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { underApiPrefix } from '../lambda/http/comfyui-route-table';
import { ApiGatewayEmulator } from './api-gateway';
import { CompletionWriteFaults } from './aws-emulator/completion-write-faults';
import { snsLambdaEvent } from './aws-emulator/notifications';
import { AwsEmulator } from './aws-emulator/server';
import { prepareDataDir } from './data-dir';
import { startDynamoDbLocal } from './dynamodb-local';
import { DynamoDbWriteSignal } from './dynamodb-write-signal';
import type { Denial } from './iam-emulation/access-denied';
import { enforceFunctionPolicies } from './iam-emulation/policy-enforcement';
import { invokeLocally, LOCAL_REGION, startInvokeStore } from './lambda-context';
import { TEST_CREDENTIALS } from './local-credentials';
import { planLocalEndpoints, startLocalEndpoint } from './local-endpoint';
import { deliverNotification, loadHandlers } from './local-handlers';
import type { LocalStack, LocalStackOptions } from './local-stack-options';
import {
  BUCKET_NAME,
  CONNECTIONS_TABLE_NAME,
  ensureTablesAndBucket,
  TABLE_NAME,
  USAGE_TABLE_NAME,
} from './local-storage';
import { startLocalModelImports } from './model-imports-consumer';
import { startS3Local } from './s3-local';
import { startLocalWebhooks, startWebSocketEvents } from './stream-consumers';
import { apiKeyId, localUsageEnv } from './usage-settings';
import { WebSocketGatewayEmulator } from './websocket-gateway';

export { LOCAL_ENDPOINT_NAME } from './local-endpoint';
/** Where ComfyUI's websocket is served in the stage (the REST routes live under /comfyui/ too). */
export const COMFYUI_SOCKET_PATH = '/comfyui/ws';
export type { LocalStack, LocalStackOptions } from './local-stack-options';

const REGION = LOCAL_REGION;
/** What the emulated endpoints say they run on (DescribeEndpointConfig), and GET /usage prices. */
const LOCAL_INSTANCE_TYPE = 'ml.g5.xlarge';

/** The owner id of an API key value: stable, so persisted data keeps its owners across restarts. */
export { apiKeyId };

/**
 * `npm start`'s composition root: DynamoDB Local, s3rver, the ComfyUI simulator (or a real
 * ComfyUI), the endpoint container, the SageMaker/Logs emulator and the API gateway in front of
 * the very handler functions the CDK app deploys, wired through the SDK's AWS_ENDPOINT_URL_*.
 * Every AWS call a function (or the container) makes is held to the IAM policy the CDK app
 * deploys for it (local/iam-emulation/): a call it does not allow fails as on AWS.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: Error) => log('local', `stop failed: ${error.message}`));
  };
  try {
    await startInvokeStore();
    // Each handler's AWS calls are held to its own function's deployed policy, as IAM holds them.
    // A refused call is a deploy defect: never silent, even for a stack started without a log.
    const reportDenial = (denial: Denial) => {
      if (options.log) log('iam', denial.message);
      else if (denial.kind === 'refused') console.error(`[iam] ${denial.message}`);
    };
    const stopReporting = enforceFunctionPolicies(reportDenial);
    stops.push(async () => stopReporting());
    const dataPath = (part: string) => (options.dataDir ? join(options.dataDir, part) : undefined);
    if (options.dataDir) prepareDataDir(options.dataDir);
    const credentials = options.credentials ?? TEST_CREDENTIALS;
    // The container's completion write, held or refused where an execute's fault switch says.
    const completionWriteFaults = new CompletionWriteFaults();
    // While a websocket is open, each write wakes the pollers that feed its messages.
    const dynamoWrites = new DynamoDbWriteSignal();
    const dynamo = await startDynamoDbLocal({
      dbPath: dataPath('dynamodb'),
      credentials: [credentials],
      faults: completionWriteFaults,
      writes: dynamoWrites,
    });
    stops.push(dynamo.stop);
    log(
      'dynamodb',
      `DynamoDB Local at ${dynamo.endpoint}${options.dataDir ? ` (data in ${dataPath('dynamodb')};` : ' (in memory;'} every request's signature checked)`,
    );
    const s3Server = await startS3Local({ directory: dataPath('s3'), credentials: [credentials] });
    stops.push(s3Server.stop);
    log(
      's3',
      `s3rver at ${s3Server.endpoint} (every request's signature checked as S3 does), bucket ${BUCKET_NAME}`,
    );
    const s3 = await ensureTablesAndBucket(dynamo.endpoint, s3Server.endpoint, credentials);

    const invocationTimeout = options.invocationTimeoutSeconds ?? 3600;
    const sharedEnv = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3Server.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      S3_FORCE_PATH_STYLE: 'true',
      TABLE_NAME,
      BUCKET_NAME,
      CONNECTIONS_TABLE_NAME,
      USAGE_TABLE_NAME,
    };

    // One endpoint (comfy-async-local), or one per environment (comfy-async-{name}), as deployed.
    const endpointPlans = await planLocalEndpoints(options);
    const endpointNames = endpointPlans.map((plan) => plan.name);
    const handlers = await loadHandlers();
    const aws = new AwsEmulator({
      s3,
      region: REGION,
      credentials: [credentials],
      endpoints: endpointPlans.map((plan) => ({
        name: plan.name,
        containerUrl: `http://127.0.0.1:${plan.port}`,
        containerHeaders: plan.headers,
        instanceType: LOCAL_INSTANCE_TYPE,
        instanceCount: 1,
        maxConcurrentInvocationsPerInstance: 1,
        s3OutputPath: `s3://${BUCKET_NAME}/async-inference/outputs`,
        s3FailurePath: `s3://${BUCKET_NAME}/async-inference/failures`,
      })),
      notify: (kind, message) =>
        deliverNotification(
          handlers.onAsyncResult,
          snsLambdaEvent(`arn:aws:sns:${REGION}:123456789012:comfy-exec-local-${kind}`, message),
          log,
        ),
      log: (line) => log('sagemaker', line),
      completionWriteFaults,
      queueDirectory: dataPath('sagemaker'),
    });

    Object.assign(process.env, sharedEnv, {
      ENDPOINT_NAMES: endpointNames.join(','),
      // GET /workflows: the environments (no files here: ENVIRONMENTS names ComfyUIs, not files).
      WORKFLOWS: JSON.stringify(
        (options.environments ?? []).map(({ name }) => ({
          name,
          endpoint_name: `comfy-async-${name}`,
          image_uri: '',
          payload_json: '',
        })),
      ),
      // Nothing of this run is in an AWS account: the debug links point at its own log.
      DEBUG_LOG_URL: options.logFile ? pathToFileURL(options.logFile).href : 'local:output',
      // Input URLs may point at test servers on this machine only when asked (never on AWS).
      ALLOW_LOOPBACK_INPUT_URLS: String(options.loopbackInputUrls === true),
      MODEL_WRITERS: (options.modelWriters ?? options.apiKeys.slice(0, 1)).map(apiKeyId).join(','),
      MODEL_PART_BYTES: String(options.modelPartBytes ?? 64 * 1024 ** 2),
      ALLOW_NODES: JSON.stringify(
        Object.fromEntries(endpointNames.map((name) => [name, options.allowNodes ?? []])),
      ),
      MAX_UNFINISHED_PER_KEY: String(options.maxUnfinishedPerKey ?? 100),
      // Usage: who reads every key's, the daily GPU caps, and the prices of the estimate.
      ...localUsageEnv(options, LOCAL_INSTANCE_TYPE, (line) => log('usage', line)),
      ENDPOINT_INSTANCE_TYPES: JSON.stringify(
        Object.fromEntries(endpointNames.map((name) => [name, LOCAL_INSTANCE_TYPE])),
      ),
      MAX_WAITING_PER_KEY: String(options.maxWaitingPerKey ?? 10),
      MAX_CONNECTIONS_PER_KEY: String(options.maxConnectionsPerKey ?? 20),
      REQUEST_TTL_SECONDS: String(options.requestTtlSeconds ?? 21_600),
      INVOCATION_TIMEOUT_SECONDS: String(invocationTimeout),
      SWEEP_GRACE_SECONDS: String(options.sweepGraceSeconds ?? 60),
      MIN_INSTANCES: '1',
      MAX_INSTANCES: '1',
    });
    handlers.resetEnvironment();

    const awsUrl = await aws.start();
    stops.push(() => aws.stop());
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: awsUrl,
      AWS_ENDPOINT_URL_SAGEMAKER: awsUrl,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: awsUrl,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
      // Created by the first GET /comfyui/token; kept with DATA_DIR, as the webhook secrets are.
      BROWSER_TOKEN_KEY_SECRET: 'comfy-exec-local/browser-token-key',
    });
    handlers.resetEnvironment();
    log('sagemaker', `async endpoint ${endpointNames.join(', ')} (and Logs Insights) at ${awsUrl}`);

    // The container is its own process, one invocation at a time: not a Lambda environment.
    const { AWS_LAMBDA_MAX_CONCURRENCY: _lambdaOnly, ...processEnv } = process.env;
    // Stopping: the emulator lets go of its invocations before the containers go away.
    const started = [];
    for (const plan of endpointPlans) {
      const endpoint = await startLocalEndpoint(plan, {
        options,
        aws,
        s3,
        env: { ...processEnv, ...sharedEnv },
        dataPath,
        invocationTimeout,
        reportDenial,
        log,
      });
      stops.push(...endpoint.stops);
      started.push(endpoint);
    }
    stops.push(async () => aws.stopEndpoints());
    // Tests look in the default endpoint's folders.
    const { comfyuiInputDir, modelCacheDir } = started[0]!;
    await aws.resumeQueues();

    const keys = new Map(options.apiKeys.map((key) => [key, apiKeyId(key)]));
    const sockets = new WebSocketGatewayEmulator({
      stage: 'prod',
      // ComfyUI's own frontend opens it under /api, as every other route.
      paths: [COMFYUI_SOCKET_PATH, underApiPrefix(COMFYUI_SOCKET_PATH)],
      apiKeys: keys,
      authorizer: handlers.comfyuiSocketAuthorizer,
      handler: handlers.comfyuiSocket,
      log: (line) => log('api', line),
    });
    const gateway = new ApiGatewayEmulator({
      port: options.port ?? 3000,
      ...(options.apiServer ? { server: options.apiServer } : {}),
      apiKeys: keys,
      handlers: handlers.http,
      sockets,
      credentials: [credentials], // the management API's: the functions sign their posts with it
      ...(options.throttle ? { throttle: options.throttle } : {}),
      log: (line) => log('api', line),
    });
    const apiUrl = await gateway.start();
    stops.push(() => gateway.stop());
    stops.push(() => sockets.stop());
    // The management API and the websocket live on the gateway's own port, known only now.
    const webSocketUrl = `${apiUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${COMFYUI_SOCKET_PATH}`;
    process.env.WEBSOCKET_CALLBACK_URL = apiUrl.replace(/\/$/, '');
    process.env.COMFYUI_WEBSOCKET_URL = webSocketUrl;
    process.env.CONSOLE_URL = new URL('/console/', apiUrl).toString(); // served beside the stage
    handlers.resetEnvironment();
    stops.push(
      await startWebSocketEvents(dynamo.endpoint, credentials, handlers.comfyuiEvents, log, {
        signal: dynamoWrites,
        while: () => sockets.openConnections > 0,
      }),
    );
    stops.push(
      await startLocalWebhooks({
        aws,
        dynamoEndpoint: dynamo.endpoint,
        credentials,
        dispatch: handlers.dispatchWebhooks,
        deliver: handlers.deliverWebhooks,
        ...(options.webhookRetry ? { retry: options.webhookRetry } : {}),
        log,
      }),
    );
    stops.push(startLocalModelImports({ aws, credentials, run: handlers.importModel, log }));
    handlers.resetEnvironment();
    log('api', `ComfyUI's websocket at ${webSocketUrl} (DynamoDB Local's streams feed it)`);

    const sweep = setInterval(() => {
      invokeLocally('sweeper', REGION, handlers.sweeper, undefined).catch((error: Error) =>
        log('sweeper', `failed: ${error.message}`),
      );
    }, options.sweepIntervalMs ?? 10_000);
    stops.push(async () => clearInterval(sweep));

    return {
      apiUrl,
      webSocketUrl,
      apiKeys: options.apiKeys,
      aws,
      comfyuiInputDir,
      modelCacheDir,
      s3,
      bucket: BUCKET_NAME,
      credentials,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3Server.endpoint,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
