import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AwsEmulator } from './aws-emulator/server';
import { DynamoDbStreamPoller } from './dynamodb-stream-poller';
import type { DynamoDbWriteSignal } from './dynamodb-write-signal';
import { invokeLocally, LOCAL_REGION as REGION } from './lambda-context';
import type { LocalCredentials } from './local-credentials';
import { CONNECTIONS_TABLE_NAME, TABLE_NAME } from './local-storage';
import { SqsPoller } from './sqs-poller';

export interface WebhookRetrySettings {
  baseSeconds: number;
  maxSeconds: number;
  windowSeconds: number;
  /** How long a receiver may take to answer. @default 10 s */
  timeoutMs?: number;
  /** WEBHOOK_SECRET_CACHE_SECONDS (60 by default, as deployed). */
  secretCacheSeconds?: number;
}

export interface LocalWebhooksOptions {
  aws: AwsEmulator;
  dynamoEndpoint: string;
  /** What the pollers sign with: the stack's own pair. */
  credentials: LocalCredentials;
  dispatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse>;
  deliver(event: SQSEvent): Promise<SQSBatchResponse>;
  /** Shorter than the deployed day, for trying failures locally. */
  retry?: WebhookRetrySettings;
  log(part: string, line: string): void;
}

const QUEUE = 'comfy-exec-local-webhooks.fifo';
const DEAD_LETTERS = 'comfy-exec-local-webhooks-dlq.fifo';

/**
 * The stream-fed functions of the local stack: webhooks and ComfyUI's websocket messages.
 *
 * Signed webhooks on the local stack, as deployed: the executes table's stream (a second reader,
 * as on AWS) feeds the dispatcher, the FIFO queue and its dead-letter queue live in the AWS
 * emulator, and a poller plays the delivery function's SQS event source. Receivers on this
 * machine are allowed (http, loopback); the deployed stack allows https to public hosts only.
 */
export async function startLocalWebhooks(options: LocalWebhooksOptions): Promise<() => Promise<void>> {
  const { aws } = options;
  const queueUrl = aws.sqs.createQueue(QUEUE, 60);
  const deadLetterUrl = aws.sqs.createQueue(DEAD_LETTERS, 60);
  const retry = options.retry;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    WEBHOOK_QUEUE_URL: queueUrl,
    WEBHOOK_DEAD_LETTER_URL: deadLetterUrl,
    WEBHOOK_SECRET_PREFIX: 'comfy-exec-local/webhooks/',
    ALLOW_LOCAL_WEBHOOKS: 'true',
    ...(retry
      ? {
          WEBHOOK_RETRY_BASE_SECONDS: String(retry.baseSeconds),
          WEBHOOK_RETRY_MAX_SECONDS: String(retry.maxSeconds),
          WEBHOOK_RETRY_WINDOW_SECONDS: String(retry.windowSeconds),
          ...(retry.timeoutMs ? { WEBHOOK_TIMEOUT_MS: String(retry.timeoutMs) } : {}),
          ...(retry.secretCacheSeconds !== undefined
            ? { WEBHOOK_SECRET_CACHE_SECONDS: String(retry.secretCacheSeconds) }
            : {}),
        }
      : {}),
  });
  const stream = new DynamoDbStreamPoller({
    endpoint: options.dynamoEndpoint,
    region: REGION,
    credentials: options.credentials,
    tables: [TABLE_NAME],
    invoke: (event) => invokeLocally('dispatch-webhooks', REGION, options.dispatch, event),
    log: (line) => options.log('streams', line),
  });
  await stream.start();
  const queue = new SqsPoller({
    endpoint: aws.url,
    region: REGION,
    credentials: options.credentials,
    queueUrl,
    queueArn: `arn:aws:sqs:${REGION}:123456789012:${QUEUE}`,
    invoke: (event) => invokeLocally('deliver-webhooks', REGION, options.deliver, event),
    log: (line) => options.log('webhooks', line),
  });
  queue.start();
  options.log(
    'webhooks',
    `webhook queue ${QUEUE} (dead letters: ${DEAD_LETTERS}), fed by the executes table's stream`,
  );
  return async () => {
    await queue.stop();
    await stream.stop();
  };
}

/**
 * ComfyUI's websocket messages: both tables' streams feed the events function, as deployed, each
 * through its own event source mapping (one poller each), so that greetings waiting on a
 * connection never hold up the executes' messages, as on AWS.
 */
export async function startWebSocketEvents(
  dynamoEndpoint: string,
  credentials: LocalCredentials,
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>,
  log: (part: string, line: string) => void,
  wakeOn?: { signal: DynamoDbWriteSignal; while: () => boolean },
): Promise<() => Promise<void>> {
  const mappings = [TABLE_NAME, CONNECTIONS_TABLE_NAME].map(
    (table) =>
      new DynamoDbStreamPoller({
        endpoint: dynamoEndpoint,
        region: REGION,
        credentials,
        tables: [table],
        invoke: (event) => invokeLocally('comfyui-events', REGION, handler, event),
        // Read at once after a write while a socket is open: a message is waited for then.
        wakeOn: wakeOn?.signal,
        wakeWhile: wakeOn?.while,
        log: (line) => log('streams', line),
      }),
  );
  await Promise.all(mappings.map((mapping) => mapping.start()));
  return async () => {
    await Promise.all(mappings.map((mapping) => mapping.stop()));
  };
}
