import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { resetClients } from '../../lambda/platform/clients';
import { resetParsedEnv } from '../../lambda/platform/env';
import { FakeAwsServer } from '../fakes/fake-aws-server';
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
 * DynamoDB Local, s3rver and the fake SageMaker/Logs server, through environment variables.
 */
export async function startHandlerHarness(options: { extraEndpoints?: string[] } = {}) {
  const clients = localClients();
  const { tableName, bucketName, drop } = await freshTableAndBucket(clients);
  const aws = new FakeAwsServer(`s3://${bucketName}/async-out`, `s3://${bucketName}/async-failures`);
  const url = await aws.start();
  aws.endpoints.set('comfy-async-default', { status: 'InService', mode: 'accept' });
  aws.endpoints.set('comfy-async-busy', { status: 'InService', mode: 'throttle' });
  for (const name of options.extraEndpoints ?? [])
    aws.endpoints.set(name, { status: 'InService', mode: 'accept' });
  Object.assign(process.env, localLambdaEnvironment(tableName, bucketName), LAMBDA_RUNTIME_ENV, {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
    AWS_ENDPOINT_URL_SAGEMAKER: url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    ENDPOINT_NAMES: [
      'comfy-async-default',
      'comfy-async-busy',
      'comfy-async-gone',
      ...(options.extraEndpoints ?? []),
    ].join(','),
    LOG_QUERY_MAX_WAIT_MS: '2000',
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
