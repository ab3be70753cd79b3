import { resolveHostAddresses } from '../adapters/dns-host-resolver';
import { HttpModelSource } from '../adapters/http-model-source';
import { SecretsManagerSourceTokens } from '../adapters/secrets-manager-source-tokens';
import { SqsModelImportQueue } from '../adapters/sqs-model-import-queue';
import type { ModelImportQueue } from '../domain/models/model-import';
import type { ModelImportJobDeps } from '../use-cases/run-model-import-job';
import type { ModelImportDeps } from '../use-cases/start-model-import';
import { secretsClient, sqsClient } from './clients';
import { clock } from './composition-parts';
import { startModelUploadDeps } from './composition-root';
import { functionEnv } from './env';
import { importedModels, importsOf } from './model-imports-store';

/**
 * Each function's tokens, kept by its container (five minutes): the parts of an import ask
 * Secrets Manager once per host, also when the host has no secret. The probe never keeps "no
 * secret", so a POST sent again after adding one uses it at once.
 */
const tokensOf = new Map<string, SecretsManagerSourceTokens>();

function sourceFor(name: 'start-model-upload' | 'import-model', timeoutMs: number) {
  const env = functionEnv(name);
  let tokens = tokensOf.get(name);
  if (!tokens) {
    const keep = { cacheMs: 300_000, cacheAbsentMs: name === 'import-model' ? 300_000 : 0 };
    tokens = new SecretsManagerSourceTokens(
      secretsClient({ region: env.AWS_REGION }),
      env.MODEL_SOURCE_TOKEN_PREFIX,
      keep,
    );
    tokensOf.set(name, tokens);
  }
  return new HttpModelSource(tokens, {
    timeoutMs,
    allowLoopback: env.ALLOW_LOCAL_MODEL_SOURCES,
    resolve: resolveHostAddresses,
  });
}

/** POST /models with `source`: the library's checks, the probe, the staged upload and the queue. */
export function startModelImportDeps(): ModelImportDeps {
  const env = functionEnv('start-model-upload');
  const queueUrl = env.MODEL_IMPORT_QUEUE_URL;
  const queue: ModelImportQueue = queueUrl
    ? new SqsModelImportQueue(sqsClient({ region: env.AWS_REGION }), queueUrl)
    : {
        send: () =>
          Promise.reject(new Error('MODEL_IMPORT_QUEUE_URL is not set: this deployment cannot import')),
      };
  return {
    ...startModelUploadDeps(),
    imports: importsOf('start-model-upload'),
    source: sourceFor('start-model-upload', env.MODEL_PROBE_TIMEOUT_MS),
    queue,
    allowLoopback: env.ALLOW_LOCAL_MODEL_SOURCES,
  };
}

export function modelImportJobDeps(): ModelImportJobDeps & {
  attempts: number;
  retryBaseSeconds: number;
  queue: SqsModelImportQueue;
} {
  const env = functionEnv('import-model');
  return {
    imports: importsOf('import-model'),
    source: sourceFor('import-model', env.MODEL_PART_TIMEOUT_MS),
    queue: new SqsModelImportQueue(sqsClient({ region: env.AWS_REGION }), env.MODEL_IMPORT_QUEUE_URL),
    clock,
    models: importedModels(),
    attempts: env.MODEL_IMPORT_ATTEMPTS,
    retryBaseSeconds: env.MODEL_IMPORT_RETRY_SECONDS,
  };
}
