import { CachedWebhookSecrets, type SecretCache } from '../adapters/cached-webhook-secrets';
import { resolveHostAddresses } from '../adapters/dns-host-resolver';
import { DynamoDbExecuteStore } from '../adapters/dynamodb-execute-store';
import { PinnedWebhookPoster } from '../adapters/pinned-webhook-poster';
import { S3PayloadStore } from '../adapters/s3-payload-store';
import { SecretsManagerWebhookSecrets } from '../adapters/secrets-manager-webhook-secrets';
import { SqsWebhookQueue } from '../adapters/sqs-webhook-queue';
import { newWebhookSecret, signWebhook } from '../adapters/standard-webhooks-signer';
import type { DeliverWebhookDeps } from '../use-cases/deliver-webhook';
import { documentClient, s3Client, secretsClient, sqsClient } from './clients';
import { clock } from './composition-parts';
import { functionEnv } from './env';

/** The webhook functions' dependencies (kept apart so no other function bundles them). */
export function webhookSecrets(name: 'webhook-secret' | 'deliver-webhooks') {
  const env = functionEnv(name);
  return new SecretsManagerWebhookSecrets(
    secretsClient({ region: env.AWS_REGION }),
    env.WEBHOOK_SECRET_PREFIX,
    newWebhookSecret,
  );
}

/** Per container: deliveries read an owner's secrets once a WEBHOOK_SECRET_CACHE_SECONDS. */
const deliverySecrets: SecretCache = new Map();

export function dispatchWebhooksDeps() {
  const env = functionEnv('dispatch-webhooks');
  return { queue: new SqsWebhookQueue(sqsClient({ region: env.AWS_REGION }), env.WEBHOOK_QUEUE_URL) };
}

export function deliverWebhooksDeps(): DeliverWebhookDeps & { queue: SqsWebhookQueue } {
  const env = functionEnv('deliver-webhooks');
  const settings = { region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE };
  return {
    store: new DynamoDbExecuteStore(documentClient(settings), env.TABLE_NAME),
    payloads: new S3PayloadStore(s3Client(settings), env.BUCKET_NAME),
    secrets: new CachedWebhookSecrets(
      webhookSecrets('deliver-webhooks'),
      env.WEBHOOK_SECRET_CACHE_SECONDS * 1000,
      deliverySecrets,
    ),
    sign: signWebhook,
    poster: new PinnedWebhookPoster(env.WEBHOOK_TIMEOUT_MS),
    resolveHost: resolveHostAddresses,
    clock,
    config: {
      presignTtlSeconds: env.PRESIGN_TTL_SECONDS,
      allowLoopback: env.ALLOW_LOCAL_WEBHOOKS,
      retry: {
        baseSeconds: env.WEBHOOK_RETRY_BASE_SECONDS,
        maxSeconds: env.WEBHOOK_RETRY_MAX_SECONDS,
        windowSeconds: env.WEBHOOK_RETRY_WINDOW_SECONDS,
      },
    },
    queue: new SqsWebhookQueue(
      sqsClient({ region: env.AWS_REGION }),
      env.WEBHOOK_QUEUE_URL,
      env.WEBHOOK_DEAD_LETTER_URL,
    ),
  };
}
