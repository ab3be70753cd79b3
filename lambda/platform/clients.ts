import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { announceClient, type BuiltClient, type ClientListener, listenForClients } from './client-listeners';
import { traced } from './tracing';

/**
 * The one place that builds AWS clients. Endpoints come from the SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, so the local stack needs no branch here.
 */
const cache = new Map<string, unknown>();

/** Each client built once per container, every call traced (one subsegment per AWS call). */
function once<T>(key: string, build: () => T): T {
  // Announced, so that the local stack can hold each call to the calling function's policy.
  if (!cache.has(key)) cache.set(key, announceClient(traced(build())));
  return cache.get(key) as T;
}

export interface ClientSettings {
  region: string;
  s3ForcePathStyle?: boolean;
}

/**
 * `purpose` keeps a separate client for work off the execute path (the websocket's functions):
 * in Lambda every function is its own process anyway; in the local stack, where all handlers
 * share one, it lets `npm run bench` count the execute path's calls apart from the relay's.
 */
export function documentClient(
  settings: ClientSettings,
  purpose: 'executes' | 'websocket' = 'executes',
): DynamoDBDocumentClient {
  return once(purpose === 'executes' ? 'dynamodb' : `dynamodb ${purpose}`, () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: settings.region }), {
      // A prompt's own `constructor` key (a node id or input a client named so) makes a plain object
      // look like a class instance to the marshaller, which then refused the whole record (a 500).
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    }),
  );
}

export function s3Client(settings: ClientSettings): S3Client {
  return once(
    's3',
    () => new S3Client({ region: settings.region, forcePathStyle: settings.s3ForcePathStyle ?? false }),
  );
}

/**
 * For presigned uploads only: with the SDK's default checksum mode a presigned PUT carries the
 * CRC32 of an empty body (`x-amz-checksum-crc32=AAAAAA==`), so S3 would refuse every real upload.
 */
export function s3UploadClient(settings: ClientSettings): S3Client {
  return once(
    's3-upload',
    () =>
      new S3Client({
        region: settings.region,
        forcePathStyle: settings.s3ForcePathStyle ?? false,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
  );
}

export function sageMakerRuntimeClient(settings: ClientSettings): SageMakerRuntimeClient {
  return once('sagemaker-runtime', () => new SageMakerRuntimeClient({ region: settings.region }));
}

export function sageMakerClient(settings: ClientSettings): SageMakerClient {
  return once('sagemaker', () => new SageMakerClient({ region: settings.region }));
}

export function logsClient(settings: ClientSettings): CloudWatchLogsClient {
  return once('logs', () => new CloudWatchLogsClient({ region: settings.region }));
}

/** API Gateway's management API of one WebSocket API stage (its endpoint is the stage's callback URL). */
export function socketManagementClient(settings: ClientSettings & { endpoint: string }) {
  return once(
    `apigateway-management ${settings.endpoint}`,
    () => new ApiGatewayManagementApiClient({ region: settings.region, endpoint: settings.endpoint }),
  );
}

export function sqsClient(settings: ClientSettings): SQSClient {
  return once('sqs', () => new SQSClient({ region: settings.region }));
}

export function secretsClient(settings: ClientSettings): SecretsManagerClient {
  return once('secrets-manager', () => new SecretsManagerClient({ region: settings.region }));
}

/**
 * `listener` hears of every client built here, those already built included (the local stack
 * adds its IAM check to each). Returns the unsubscribe.
 */
export function onClientBuilt(listener: ClientListener): () => void {
  for (const client of cache.values()) listener(client as BuiltClient);
  return listenForClients(listener);
}

/** Tests and the local stack rebuild clients after changing the environment. */
export function resetClients(): void {
  cache.clear();
}
