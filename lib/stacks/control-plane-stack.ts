import { Aws, CfnOutput, Duration, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HANDLERS, type HttpHandlerName } from '../../lambda/http/route-table';
import type { FunctionEnvInput, FunctionName } from '../../lambda/platform/env';
import { deployedWorkflows, endpointScaling } from '../config/deployed-workflows';
import type { StageConfig } from '../config/stage-config';
import { ComfyExecFunction } from '../constructs/comfy-exec-function';
import { ComfyUiSocketApi } from '../constructs/comfyui-socket-api';
import { ExecutesApi } from '../constructs/executes-api';
import { functionStatements } from '../constructs/function-statements';
import { IMPORT_FUNCTION_TIMEOUT, ModelImports } from '../constructs/model-imports';
import { Observability } from '../constructs/observability';
import { WebConsole } from '../constructs/web-console';
import { WebhookDelivery } from '../constructs/webhook-delivery';
import type { InferenceStack } from './inference-stack';

export interface ControlPlaneStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: ITable;
  /** Usage per owner, endpoint and day (the data stack's). */
  readonly usageTable: ITable;
  /** The payload bucket, by its known physical name. */
  readonly bucketName: string;
  readonly inference: InferenceStack;
  readonly logRetention: RetentionDays;
}

/** The API, one function per handler, completion (SNS → OnAsyncResult → DLQ), the Sweeper, dashboard and alarms. */
export class ControlPlaneStack extends Stack {
  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const bucket = Bucket.fromBucketAttributes(this, 'Payloads', {
      bucketName: props.bucketName,
      bucketArn: `arn:${Aws.PARTITION}:s3:::${props.bucketName}`,
    });
    const { config, inference } = props;
    const data = { TABLE_NAME: props.table.tableName, BUCKET_NAME: bucket.bucketName };
    // Functions that finish or delete executes add their usage; creating ones check the daily cap.
    const usage = { USAGE_TABLE_NAME: props.usageTable.tableName };
    // The configured names, plain strings (the endpoints are ordered before this stack); the
    // first is the default.
    const endpointNames = inference.endpoints.map((endpoint) => endpoint.name);
    const endpointName = endpointNames[0]!;
    const endpoints = { ENDPOINT_NAMES: endpointNames.join(',') };
    const writers = config.modelWriters.join(',');
    // What creating an execute reads: CreateExecute's, and POST /comfyui/prompt's.
    const creating = {
      ...data,
      ...endpoints,
      REQUEST_TTL_SECONDS: config.requestTtlSeconds,
      INVOCATION_TIMEOUT_SECONDS: config.invocationTimeoutSeconds,
      RETENTION_DAYS: config.retentionDays,
      INPUT_BUCKETS: config.inputBuckets.join(','),
      DEFAULT_WEBHOOKS: JSON.stringify(config.defaultWebhooks),
      ALLOW_NODES: JSON.stringify(config.allowNodes),
      MAX_UNFINISHED_PER_KEY: config.maxUnfinishedPerKey,
      MAX_WAITING_PER_KEY: config.maxWaitingPerKey,
      ...usage,
      GPU_SECONDS_PER_DAY: JSON.stringify(config.gpuSecondsPerDay),
    };
    const socketApi = new ComfyUiSocketApi(this, 'ComfyUiSocket', {
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetention: props.logRetention,
    });
    const webhooks = new WebhookDelivery(this, 'Webhooks');
    const modelImports = new ModelImports(this, 'ModelImports', { stage: config.name });
    const importing = modelImports.environment;
    const webhookSecretPrefix = `comfy-exec/${config.name}/webhooks/`;
    const browserTokenKeySecret = `comfy-exec/${config.name}/browser-token-key`;
    const tokenKey = { BROWSER_TOKEN_KEY_SECRET: browserTokenKeySecret };
    const socket = {
      CONNECTIONS_TABLE_NAME: socketApi.connections.tableName,
      WEBSOCKET_CALLBACK_URL: socketApi.callbackUrl,
    };
    let consoleUrl: string | undefined;
    const environments: { [N in FunctionName]: FunctionEnvInput<N> } = {
      'create-execute': { ...creating, PRESIGN_TTL_SECONDS: config.presignTtlSeconds },
      'comfyui-api': {
        ...creating,
        PRESIGN_TTL_SECONDS: config.presignTtlSeconds,
        COMFYUI_WEBSOCKET_URL: socketApi.stage.url,
        ...tokenKey,
      },
      'comfyui-token-view': {
        ...data,
        PRESIGN_TTL_SECONDS: config.presignTtlSeconds,
        RETENTION_DAYS: config.retentionDays,
        ...tokenKey,
      },
      'create-input': { BUCKET_NAME: bucket.bucketName, RETENTION_DAYS: config.retentionDays },
      'list-inputs': { BUCKET_NAME: bucket.bucketName, RETENTION_DAYS: config.retentionDays },
      'delete-input': { BUCKET_NAME: bucket.bucketName, RETENTION_DAYS: config.retentionDays },
      'start-model-upload': { BUCKET_NAME: bucket.bucketName, MODEL_WRITERS: writers, ...importing },
      'import-model': { BUCKET_NAME: bucket.bucketName, ...importing },
      'complete-model-upload': { BUCKET_NAME: bucket.bucketName, MODEL_WRITERS: writers },
      'list-models': { BUCKET_NAME: bucket.bucketName },
      'prepare-endpoint': {
        BUCKET_NAME: bucket.bucketName,
        ...endpoints,
        MODEL_WRITERS: writers,
        RETENTION_DAYS: config.retentionDays,
        INPUT_BUCKETS: config.inputBuckets.join(','),
      },
      'get-prepare': endpoints,
      'delete-model': { BUCKET_NAME: bucket.bucketName, MODEL_WRITERS: writers },
      'get-execute': { ...data, PRESIGN_TTL_SECONDS: config.presignTtlSeconds },
      'list-executes': { ...data, PRESIGN_TTL_SECONDS: config.presignTtlSeconds },
      'delete-executes': { ...data, ...usage },
      'cancel-execute': { ...data, ...usage },
      'get-usage': {
        ...usage,
        OPERATOR_KEYS: config.operatorKeys.join(','),
        PRICE_PER_HOUR: JSON.stringify(config.pricePerHour),
        CURRENCY: config.currency,
        ENDPOINT_INSTANCE_TYPES: JSON.stringify(
          Object.fromEntries(inference.endpoints.map((endpoint) => [endpoint.name, endpoint.instanceType])),
        ),
      },
      'get-execute-logs': data,
      'list-endpoints': {
        ...endpoints,
        MIN_INSTANCES: config.minInstances,
        MAX_INSTANCES: config.maxInstances,
        ENDPOINT_SCALING: endpointScaling(inference.endpoints),
      },
      workflows: { ...endpoints, WORKFLOWS: deployedWorkflows(inference.endpoints) },
      templates: { ...endpoints, BUCKET_NAME: bucket.bucketName },
      // GET /about: the URLs clients would otherwise take from the stack outputs.
      health: {
        ...endpoints,
        COMFYUI_WEBSOCKET_URL: socketApi.stage.url,
        // The console is made after the API (it names the API's URL): its URL is filled in at synth.
        CONSOLE_URL: Lazy.string({ produce: () => consoleUrl }),
      },
      'api-doc': {},
      'on-async-result': { ...data, ...usage },
      sweeper: { ...data, ...usage },
      'comfyui-socket': { ...socket, MAX_CONNECTIONS_PER_KEY: config.maxConnectionsPerKey },
      'comfyui-socket-authorizer': tokenKey,
      'comfyui-events': { ...socket, ...data },
      'webhook-secret': { WEBHOOK_SECRET_PREFIX: webhookSecretPrefix },
      'dispatch-webhooks': { WEBHOOK_QUEUE_URL: webhooks.queue.queueUrl },
      'deliver-webhooks': {
        ...data,
        PRESIGN_TTL_SECONDS: config.presignTtlSeconds,
        WEBHOOK_QUEUE_URL: webhooks.queue.queueUrl,
        WEBHOOK_DEAD_LETTER_URL: webhooks.deadLetters.queueUrl,
        WEBHOOK_SECRET_PREFIX: webhookSecretPrefix,
      },
    };
    const resources = {
      tableArn: props.table.tableArn,
      usageTableArn: props.usageTable.tableArn,
      bucketArn: bucket.bucketArn,
      endpointArns: inference.endpoints.map((endpoint) => endpoint.arn),
      endpointConfigArns: inference.endpoints.map((endpoint) => endpoint.configArn),
      endpointNames,
      inputBuckets: config.inputBuckets,
      connectionsTableArn: socketApi.connections.tableArn,
      webhookQueueArn: webhooks.queue.queueArn,
      webhookDeadLettersArn: webhooks.deadLetters.queueArn,
      modelImportQueueArn: modelImports.queue.queueArn,
      modelSourceTokensArn: modelImports.sourceTokensArn,
      webhookSecretsArn: `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${webhookSecretPrefix}*`,
      browserTokenKeyArn: `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${browserTokenKeySecret}-*`,
      socketConnectionsArn: `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${socketApi.api.apiId}/${socketApi.stage.stageName}/POST/@connections/*`,
    };
    const deadLetters = new Queue(this, 'CompletionDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    type Extra = { timeout?: Duration; async?: boolean; memorySize?: number };
    const make = <N extends FunctionName>(name: N, { async, ...sizing }: Extra = {}) =>
      new ComfyExecFunction(
        this,
        name.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase()),
        {
          handler: name,
          environment: environments[name],
          statements: functionStatements(name, resources),
          logRetention: props.logRetention,
          ...sizing,
          ...(async ? { onFailure: new SqsDestination(deadLetters) } : {}),
        },
      );

    // A prepare of models over 5 GiB copies them in parts: it may outlast API Gateway's 29 s (the
    // client then gets a 504), and the copy must still finish, not stop half-way.
    const timeouts: Partial<Record<HttpHandlerName, Duration>> = { 'prepare-endpoint': Duration.minutes(15) };
    const http = Object.fromEntries(
      HANDLERS.map((name) => [name, make(name, timeouts[name] ? { timeout: timeouts[name] } : {})]),
    ) as Record<HttpHandlerName, ComfyExecFunction<HttpHandlerName>>;
    const api = new ExecutesApi(this, 'Executes', {
      handlers: Object.fromEntries(HANDLERS.map((name) => [name, http[name].function])) as Record<
        HttpHandlerName,
        ComfyExecFunction<HttpHandlerName>['function']
      >,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      quotaPerDay: config.quotaPerDay,
      logRetention: props.logRetention,
    });

    const onAsyncResult = make('on-async-result', { timeout: Duration.seconds(60), async: true });
    for (const topic of [inference.topics.success, inference.topics.error]) {
      topic.addSubscription(new LambdaSubscription(onAsyncResult.function, { deadLetterQueue: deadLetters }));
    }
    const sweeper = make('sweeper', { timeout: Duration.minutes(5), async: true });
    new Rule(this, 'SweepSchedule', {
      description:
        'comfy-exec Sweeper: settle executes whose notification was lost, fail those past their deadline',
      schedule: Schedule.rate(Duration.minutes(config.sweepIntervalMinutes)),
      targets: [new LambdaFunction(sweeper.function)],
    });

    const socketDeadLetters = new Queue(this, 'SocketEventDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const socketEvents = make('comfyui-events', { timeout: Duration.seconds(60) });
    socketApi.connect({
      socket: make('comfyui-socket').function,
      authorizer: make('comfyui-socket-authorizer').function,
      events: socketEvents.function,
      executesTable: props.table,
      apiKey: api.apiKey,
      deadLetters: socketDeadLetters,
    });

    webhooks.connect({
      executesTable: props.table,
      dispatch: make('dispatch-webhooks').function,
      deliver: make('deliver-webhooks', { timeout: Duration.seconds(60) }).function,
    });

    // A part (64 MiB) is held between its GET and its UploadPart; Lambda's network grows with memory.
    modelImports.connect(
      make('import-model', { timeout: IMPORT_FUNCTION_TIMEOUT, memorySize: 1024 }).function,
    );

    const alarmKey = new Key(this, 'AlarmKey', {
      enableKeyRotation: true,
      description: 'comfy-exec: alarm topic',
    });
    const observability = new Observability(this, 'Observability', {
      api: api.api,
      endpointNames,
      deadLetterQueue: deadLetters,
      sweeperLogs: sweeper.function.logGroup,
      socketEvents: { function: socketEvents.function, deadLetterQueue: socketDeadLetters },
      alarmKey,
      alarmEmail: config.alarmEmail,
    });
    for (const alarm of [...webhooks.alarms, modelImports.alarm])
      alarm.addAlarmAction(new SnsAction(observability.alarmTopic));
    // CloudWatch alarms publish to the encrypted alarm topic.
    alarmKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');

    const console = `https://${Aws.REGION}.console.aws.amazon.com`;
    new CfnOutput(this, 'ApiUrl', {
      value: api.api.url,
      description: 'Base URL of the executes API (stage prod)',
    });
    new CfnOutput(this, 'ApiKeyId', {
      value: api.apiKeyId,
      description:
        'API key id; its value: aws apigateway get-api-key --include-value --query value --output text --api-key <id>',
    });
    new CfnOutput(this, 'UsagePlanIds', {
      value: `${api.usagePlanId} ${socketApi.usagePlanId}`,
      description:
        'The REST API usage plan and the websocket usage plan: add a new API key to both (aws apigateway create-usage-plan-key)',
    });
    const webConsole = new WebConsole(this, 'Console', { apiUrl: api.api.url });
    consoleUrl = webConsole.url;
    new CfnOutput(this, 'ConsoleUrl', {
      value: webConsole.url,
      description: 'The web console (enter the API key there; it stays in the browser tab)',
    });
    new CfnOutput(this, 'ComfyUiWebSocketUrl', {
      value: socketApi.stage.url,
      description:
        "ComfyUI's websocket (/ws) for ComfyUI clients: connect with ?clientId= and the x-api-key header",
    });
    new CfnOutput(this, 'BucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: props.table.tableName });
    new CfnOutput(this, 'EndpointName', { value: endpointName });
    new CfnOutput(this, 'SuccessTopicArn', {
      value: inference.topics.success.topicArn,
      description: 'SageMaker SuccessTopic (for an existing endpoint)',
    });
    new CfnOutput(this, 'ErrorTopicArn', {
      value: inference.topics.error.topicArn,
      description: 'SageMaker ErrorTopic (for an existing endpoint)',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `${console}/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${observability.dashboard.dashboardName}`,
    });
  }
}
