import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { resetClients } from '../../lambda/platform/clients';
import { resetParsedEnv } from '../../lambda/platform/env';
import { AwsEmulator } from '../../local/aws-emulator/server';
import { lambdaContext } from '../support/api-gateway';
import { freshTableAndBucket, localClients, localLambdaEnvironment } from '../support/local-aws';

/** The Lambda runtime variables the debug links are built from. */
export const LAMBDA_RUNTIME_ENV = {
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'comfy-exec-GetExecute-AbC123',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/comfy-exec-GetExecute-AbC123',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/22/[$LATEST]0123456789abcdef',
  _X_AMZN_TRACE_ID: 'Root=1-6740d2a1-0123456789abcdef01234567;Parent=1;Sampled=1',
};

/**
 * Handlers wired exactly as in Lambda — the same composition root, real SDK clients — to
 * DynamoDB Local, s3rver and the local AWS emulator (SageMaker, Logs Insights), through
 * environment variables. No container stands behind the endpoints: accepted invocations stay
 * queued, and tests drive OnAsyncResult themselves.
 */
export async function startHandlerHarness(options: { extraEndpoints?: string[] } = {}) {
  const clients = localClients();
  const { tableName, bucketName, drop } = await freshTableAndBucket(clients);
  const endpoint = (name: string) => ({
    name,
    instanceType: 'ml.g5.xlarge',
    instanceCount: 1,
    maxConcurrentInvocationsPerInstance: 1,
    s3OutputPath: `s3://${bucketName}/async-out`,
    s3FailurePath: `s3://${bucketName}/async-failures`,
  });
  const aws = new AwsEmulator({
    s3: clients.s3,
    region: 'us-east-1',
    endpoints: ['comfy-async-default', 'comfy-async-busy', ...(options.extraEndpoints ?? [])].map(endpoint),
    notify: async () => undefined,
    log: () => undefined,
  });
  const url = await aws.start();
  Object.assign(process.env, localLambdaEnvironment(tableName, bucketName), LAMBDA_RUNTIME_ENV, {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
    AWS_ENDPOINT_URL_SAGEMAKER: url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    BROWSER_TOKEN_KEY_SECRET: `comfy-exec-test/${tableName}/browser-token-key`,
    ENDPOINT_NAMES: [
      'comfy-async-default',
      'comfy-async-busy',
      'comfy-async-gone',
      ...(options.extraEndpoints ?? []),
    ].join(','),
    // One environment on the default endpoint, as the CDK app writes it for GET /workflows.
    WORKFLOWS: JSON.stringify([
      {
        name: 'default',
        endpoint_name: 'comfy-async-default',
        image_uri: 'image',
        payload_json: '{"pip":[]}',
      },
    ]),
    LOG_QUERY_MAX_WAIT_MS: '2000',
    MODEL_WRITERS: 'key-id-a',
    OPERATOR_KEYS: 'key-id-a',
    PRICE_PER_HOUR: JSON.stringify({ 'ml.g5.xlarge': 1.408 }),
    ENDPOINT_INSTANCE_TYPES: JSON.stringify({ 'comfy-async-default': 'ml.g5.xlarge' }),
    MAX_INSTANCES: '2',
  });
  resetParsedEnv();
  resetClients();
  return {
    clients,
    tableName,
    bucketName,
    aws,
    stop: async () => {
      await aws.stop();
      await drop();
    },
  };
}

type ProxyHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** Calls a handler as Lambda would, with a context. */
export function invoke(handler: ProxyHandler, event: APIGatewayProxyEvent) {
  return handler(event, lambdaContext(LAMBDA_RUNTIME_ENV.AWS_LAMBDA_FUNCTION_NAME));
}
