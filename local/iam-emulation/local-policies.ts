import { Aws } from 'aws-cdk-lib';
import { FUNCTION_ENV, type FunctionName } from '../../lambda/platform/env';
import { type ControlPlaneResources, functionStatements } from '../../lib/constructs/function-statements';
import type { PolicyStatementJson } from './policy-evaluator';
import type { ArnScope } from './sdk-call';

/** The local WebSocket API's id in execute-api ARNs (API Gateway makes one up per API). */
export const LOCAL_SOCKET_API_ID = 'localsocketapi';

/** What the local stack names its resources: the same environment its handlers read. */
export interface LocalResourceNames {
  tableName?: string;
  bucketName?: string;
  connectionsTableName?: string;
  /** Every endpoint (ENDPOINT_NAMES), as the deployed policies name each one. */
  endpointNames?: string[];
  webhookQueueUrl?: string;
  webhookDeadLetterUrl?: string;
  webhookSecretPrefix?: string;
  modelImportQueueUrl?: string;
  modelSourceTokenPrefix?: string;
  browserTokenKeySecret?: string;
  usageTableName?: string;
  inputBuckets: string[];
  /** The stage the websocket's management API is called on (the path's first segment). */
  socketStage?: string;
}

export function localResourceNames(
  env: Record<string, string | undefined> = process.env,
): LocalResourceNames {
  const csv = (value?: string) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const callback = env.WEBSOCKET_CALLBACK_URL ? new URL(env.WEBSOCKET_CALLBACK_URL) : undefined;
  return {
    tableName: env.TABLE_NAME,
    bucketName: env.BUCKET_NAME,
    connectionsTableName: env.CONNECTIONS_TABLE_NAME,
    usageTableName: env.USAGE_TABLE_NAME,
    endpointNames: csv(env.ENDPOINT_NAMES),
    webhookQueueUrl: env.WEBHOOK_QUEUE_URL,
    webhookDeadLetterUrl: env.WEBHOOK_DEAD_LETTER_URL,
    webhookSecretPrefix: env.WEBHOOK_SECRET_PREFIX,
    modelImportQueueUrl: env.MODEL_IMPORT_QUEUE_URL,
    modelSourceTokenPrefix: env.MODEL_SOURCE_TOKEN_PREFIX,
    browserTokenKeySecret: env.BROWSER_TOKEN_KEY_SECRET,
    inputBuckets: csv(env.INPUT_BUCKETS),
    socketStage: callback?.pathname.split('/').filter(Boolean)[0],
  };
}

/** A resource the stack has not made (yet): its ARN matches no call. */
const UNSET = 'comfy-exec-local-unset';

/** The ARNs the CDK app passes to functionStatements, for the local stack's resources. */
export function localResources(names: LocalResourceNames, scope: ArnScope): ControlPlaneResources {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${scope.region}:${scope.account}:${resource}`;
  const queueArn = (url?: string) =>
    arn('sqs', url ? (new URL(url).pathname.split('/').pop() ?? UNSET) : UNSET);
  // SageMaker lower-cases names in ARNs; the emulator names an endpoint's config `{name}-config`.
  const endpointNames = names.endpointNames?.length ? names.endpointNames : [UNSET];
  const lower = endpointNames.map((name) => name.toLowerCase());
  return {
    tableArn: arn('dynamodb', `table/${names.tableName ?? UNSET}`),
    usageTableArn: arn('dynamodb', `table/${names.usageTableName ?? UNSET}`),
    bucketArn: `arn:aws:s3:::${names.bucketName ?? UNSET}`,
    inputBuckets: names.inputBuckets,
    endpointArns: lower.map((endpoint) => arn('sagemaker', `endpoint/${endpoint}`)),
    endpointConfigArns: lower.map((endpoint) => arn('sagemaker', `endpoint-config/${endpoint}-config`)),
    endpointNames,
    webhookQueueArn: queueArn(names.webhookQueueUrl),
    webhookDeadLettersArn: queueArn(names.webhookDeadLetterUrl),
    webhookSecretsArn: arn('secretsmanager', `secret:${names.webhookSecretPrefix ?? UNSET}*`),
    modelImportQueueArn: queueArn(names.modelImportQueueUrl),
    modelSourceTokensArn: arn('secretsmanager', `secret:${names.modelSourceTokenPrefix ?? UNSET}*`),
    browserTokenKeyArn: arn('secretsmanager', `secret:${names.browserTokenKeySecret ?? UNSET}-*`),
    connectionsTableArn: arn('dynamodb', `table/${names.connectionsTableName ?? UNSET}`),
    socketConnectionsArn: arn(
      'execute-api',
      `${LOCAL_SOCKET_API_ID}/${names.socketStage ?? UNSET}/POST/@connections/*`,
    ),
  };
}

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(FUNCTION_ENV, name);

/**
 * CDK statements as IAM reads them, the pseudo parameters (`Aws.PARTITION`, …) resolved to the
 * local stack's values, as CloudFormation resolves them on deploy.
 */
export function resolvedStatements(
  statements: { toStatementJson(): unknown }[],
  scope: ArnScope,
): PolicyStatementJson[] {
  let text = JSON.stringify(statements.map((statement) => statement.toStatementJson()));
  const pseudo: [string, string][] = [
    [Aws.PARTITION, 'aws'],
    [Aws.REGION, scope.region],
    [Aws.ACCOUNT_ID, scope.account],
    [Aws.URL_SUFFIX, 'amazonaws.com'],
  ];
  for (const [token, value] of pseudo) text = text.split(token).join(value);
  const unresolved = /\$\{Token\[[^\]]*\]\}/.exec(text);
  if (unresolved)
    throw new Error(`the policy holds a CDK token the local stack cannot resolve: ${unresolved[0]}`);
  return JSON.parse(text) as PolicyStatementJson[];
}

const cache = new Map<string, PolicyStatementJson[]>();

/** The statements `functionStatements` deploys for `name`, built with the local stack's ARNs. */
export function localFunctionStatements(
  name: FunctionName,
  names: LocalResourceNames,
  scope: ArnScope,
): PolicyStatementJson[] {
  const key = JSON.stringify([name, names, scope]);
  let statements = cache.get(key);
  if (!statements) {
    statements = resolvedStatements(functionStatements(name, localResources(names, scope)), scope);
    cache.set(key, statements);
  }
  return statements;
}
