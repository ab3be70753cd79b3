import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SourceTokens } from './http-model-source';

/**
 * Tokens for gated model hosts, one Secrets Manager secret per host: `{prefix}{host}` holds the
 * token (`comfy-exec/{stage}/model-sources/huggingface.co`). An operator adds one with the AWS
 * CLI, no redeploy. A host without a secret gets no token. A token found is kept for `cacheMs`;
 * "no secret" is not kept, so a token added after a 401 is used by the very next try.
 */
export class SecretsManagerSourceTokens implements SourceTokens {
  private readonly cache = new Map<string, { token: string | undefined; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly cacheMs = 300_000,
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
    if (token) this.cache.set(host, { token, until: Date.now() + this.cacheMs });
    return token;
  }
}
