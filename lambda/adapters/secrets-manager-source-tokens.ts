import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SourceTokens } from './http-model-source';

/**
 * Tokens for gated model hosts, one Secrets Manager secret per host: `{prefix}{host}` holds the
 * token (`comfy-exec/{stage}/model-sources/huggingface.co`). An operator adds one with the AWS
 * CLI, no redeploy. A host without a secret gets no token. A token found is kept for `cacheMs`;
 * "no secret" for `cacheAbsentMs`: 0 where a writer retries after adding one (the probe, so the very
 * next POST uses it), longer where every part of one import would otherwise ask again.
 */
export class SecretsManagerSourceTokens implements SourceTokens {
  private readonly cache = new Map<string, { token: string | undefined; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly keep: { cacheMs: number; cacheAbsentMs: number } = {
      cacheMs: 300_000,
      cacheAbsentMs: 0,
    },
  ) {}

  secretName(host: string): string {
    return `${this.prefix}${host}`;
  }

  async tokenFor(host: string): Promise<string | undefined> {
    const cached = this.cache.get(host);
    if (cached && cached.until > Date.now()) return cached.token;
    let token: string | undefined;
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretName(host) }),
      );
      token = SecretString?.trim() || undefined;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    const keep = token ? this.keep.cacheMs : this.keep.cacheAbsentMs;
    if (keep > 0) this.cache.set(host, { token, until: Date.now() + keep });
    return token;
  }
}
