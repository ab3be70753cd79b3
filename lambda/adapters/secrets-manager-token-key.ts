import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TokenKeySource } from '../domain/browser-token';

const named = (error: unknown, name: string) => (error as Error).name === name;

/**
 * The token key as one Secrets Manager secret (base64 of 32 random bytes). The function that
 * issues tokens creates it on first use (a creation race is settled by reading the winner's);
 * the ones that only check tokens read it. Each container keeps it for `cacheMs`: replacing the
 * secret's value revokes every token issued before, within that time.
 */
export class SecretsManagerTokenKey implements TokenKeySource {
  private cached?: { key: Buffer; until: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretName: string,
    private readonly options: { createIfMissing: boolean; cacheMs: number },
  ) {}

  private async read(): Promise<Buffer | undefined> {
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretName }),
      );
      const key = Buffer.from(SecretString ?? '', 'base64');
      if (key.length !== 32) throw new Error(`secret ${this.secretName} does not hold 32 bytes in base64`);
      return key;
    } catch (error) {
      if (named(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  private async create(): Promise<Buffer> {
    const key = randomBytes(32);
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.secretName,
          Description: 'comfy-exec: the key browser tokens (GET /comfyui/token) are sealed with',
          SecretString: key.toString('base64'),
        }),
      );
      return key;
    } catch (error) {
      if (!named(error, 'ResourceExistsException')) throw error;
      const winner = await this.read();
      if (!winner) throw error;
      return winner;
    }
  }

  async current(): Promise<Buffer | undefined> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.key;
    const key = (await this.read()) ?? (this.options.createIfMissing ? await this.create() : undefined);
    if (key) this.cached = { key, until: Date.now() + this.options.cacheMs };
    return key;
  }
}
