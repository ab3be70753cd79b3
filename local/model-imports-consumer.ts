import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AwsEmulator } from './aws-emulator/server';
import { invokeLocally, LOCAL_REGION as REGION } from './lambda-context';
import type { LocalCredentials } from './local-credentials';
import { SqsPoller } from './sqs-poller';

const QUEUE = 'comfy-exec-local-model-imports.fifo';
const CONCURRENCY = 4;
/** The local secrets a gated host's token is read from: `{prefix}{host}`. */
export const LOCAL_SOURCE_TOKEN_PREFIX = 'comfy-exec-local/model-sources/';

/**
 * Models from a URL on the local stack, as deployed: POST /models with `source` queues its part
 * jobs on a FIFO queue in the AWS emulator, and a poller plays the import function's SQS event
 * source. Sources on this machine are allowed (http, loopback), as webhook receivers are; the
 * deployed stack fetches https from public hosts only. Call before the handlers read their
 * environment.
 */
export function startLocalModelImports(options: {
  aws: AwsEmulator;
  credentials: LocalCredentials;
  run(event: SQSEvent): Promise<SQSBatchResponse>;
  log(part: string, line: string): void;
}): () => Promise<void> {
  // The visibility a job gets when it is handed out (the deployed queue: the function's timeout
  // and a minute); a failed job sets its own shorter backoff.
  const queueUrl = options.aws.sqs.createQueue(QUEUE, 960);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: options.aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: options.aws.url,
    MODEL_IMPORT_QUEUE_URL: queueUrl,
    MODEL_SOURCE_TOKEN_PREFIX: LOCAL_SOURCE_TOKEN_PREFIX,
    ALLOW_LOCAL_MODEL_SOURCES: 'true',
    // Retries after 1 s, 2 s, 4 s… rather than the deployed 15 s, 30 s…: failures are tried here.
    MODEL_IMPORT_RETRY_SECONDS: '1',
  });
  // Four at a time, as Lambda runs several invocations of the event source at once (ten deployed):
  // a slow part does not hold up another import's.
  const pollers = Array.from(
    { length: CONCURRENCY },
    () =>
      new SqsPoller({
        endpoint: options.aws.url,
        region: REGION,
        credentials: options.credentials,
        queueUrl,
        queueArn: `arn:aws:sqs:${REGION}:123456789012:${QUEUE}`,
        invoke: (event) => invokeLocally('import-model', REGION, options.run, event),
        log: (line) => options.log('models', line),
      }),
  );
  for (const poller of pollers) poller.start();
  options.log(
    'models',
    `model import queue ${QUEUE}; gated hosts' tokens: secrets ${LOCAL_SOURCE_TOKEN_PREFIX}{host}`,
  );
  return async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
  };
}
