import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerTokenKey } from '../adapters/secrets-manager-token-key';
import type { TokenViewDeps } from '../http/browser-token-routes';
import { secretsClient } from './clients';
import { clock, dataAdapters, inputStore } from './composition-parts';
import { functionEnv } from './env';

type TokenFunction = 'comfyui-api' | 'comfyui-token-view' | 'comfyui-socket-authorizer';

/**
 * Per container: the token key is read (or, by the issuing function, created) once a cache
 * period. Kept with the client it was made with, so a new client (new settings) makes a new one.
 */
const keys = new Map<TokenFunction, { client: SecretsManagerClient; key: SecretsManagerTokenKey }>();

export function tokenKey(name: TokenFunction): SecretsManagerTokenKey {
  const env = functionEnv(name);
  const client = secretsClient({ region: env.AWS_REGION });
  const existing = keys.get(name);
  if (existing?.client === client) return existing.key;
  const key = new SecretsManagerTokenKey(client, env.BROWSER_TOKEN_KEY_SECRET, {
    createIfMissing: name === 'comfyui-api',
    cacheMs: env.BROWSER_TOKEN_KEY_CACHE_SECONDS * 1000,
  });
  keys.set(name, { client, key });
  return key;
}

export function tokenViewDeps(): TokenViewDeps {
  const env = functionEnv('comfyui-token-view');
  const { store, payloads } = dataAdapters('comfyui-token-view');
  return {
    store,
    payloads,
    inputs: inputStore('comfyui-token-view', env.RETENTION_DAYS),
    presignTtlSeconds: env.PRESIGN_TTL_SECONDS,
    tokenKey: tokenKey('comfyui-token-view'),
    clock,
  };
}
