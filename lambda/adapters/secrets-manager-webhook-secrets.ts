import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { WebhookSecretStore } from '../domain/notification-ports';
import { rotated, type SigningSecrets } from '../domain/webhooks/signing-secrets';

const named = (error: unknown, name: string) => (error as Error).name === name;

/**
 * Each owner's signing secrets as one Secrets Manager secret, `{prefix}{owner}`, holding
 * `{current, previous?}` as JSON; created on first use (a creation race is settled by reading
 * what the other writer created).
 */
export class SecretsManagerWebhookSecrets implements WebhookSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly newSecret: () => string,
  ) {}

  private name(owner: string) {
    return `${this.prefix}${owner}`;
  }

  private async read(owner: string): Promise<SigningSecrets | undefined> {
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.name(owner) }),
      );
      return JSON.parse(SecretString ?? '{}') as SigningSecrets;
    } catch (error) {
      if (named(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async secretsOf(owner: string): Promise<SigningSecrets> {
    const existing = await this.read(owner);
    if (existing) return existing;
    const created: SigningSecrets = { current: this.newSecret() };
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.name(owner),
          Description: `comfy-exec: webhook signing secrets of API key ${owner}`,
          SecretString: JSON.stringify(created),
        }),
      );
      return created;
    } catch (error) {
      if (!named(error, 'ResourceExistsException')) throw error;
      return (await this.read(owner))!;
    }
  }

  async rotate(owner: string): Promise<SigningSecrets> {
    const next = rotated(await this.secretsOf(owner), this.newSecret(), new Date());
    await this.client.send(
      new PutSecretValueCommand({ SecretId: this.name(owner), SecretString: JSON.stringify(next) }),
    );
    return next;
  }
}
