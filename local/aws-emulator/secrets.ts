import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

interface Secret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  created: number;
}

type Answer = { status: number; body: unknown };
const error = (type: string, message: string): Answer => ({ status: 400, body: { __type: type, message } });

/**
 * Secrets Manager's JSON protocol for what the webhook functions use: CreateSecret,
 * GetSecretValue, PutSecretValue. Kept in a file with DATA_DIR, so signing secrets (which
 * receivers hold) survive a restart like the executes do.
 */
export class SecretsManagerEmulator {
  private readonly secrets = new Map<string, Secret>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly file?: string,
  ) {
    if (file && existsSync(file))
      for (const secret of JSON.parse(readFileSync(file, 'utf8')) as Secret[])
        this.secrets.set(secret.name, secret);
  }

  private save() {
    if (this.file) writeFileSync(this.file, JSON.stringify([...this.secrets.values()]), { mode: 0o600 });
  }

  handle(action: string, input: Record<string, unknown>): Answer | undefined {
    const id = String(input.SecretId ?? input.Name ?? '');
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    const described = (s: Secret) => ({ ARN: s.arn, Name: s.name, VersionId: s.versionId });
    switch (action) {
      case 'CreateSecret': {
        if (secret)
          return error(
            'ResourceExistsException',
            `The operation failed because the secret ${id} already exists.`,
          );
        const created: Secret = {
          name: id,
          arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${id}-${randomUUID().slice(0, 6)}`,
          value: String(input.SecretString ?? ''),
          versionId: randomUUID(),
          created: Date.now() / 1000,
        };
        this.secrets.set(id, created);
        this.save();
        return { status: 200, body: described(created) };
      }
      case 'GetSecretValue':
        if (!secret)
          return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return {
          status: 200,
          body: {
            ...described(secret),
            SecretString: secret.value,
            CreatedDate: secret.created,
            VersionStages: ['AWSCURRENT'],
          },
        };
      case 'PutSecretValue':
        if (!secret)
          return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        secret.value = String(input.SecretString ?? '');
        secret.versionId = randomUUID();
        this.save();
        return { status: 200, body: { ...described(secret), VersionStages: ['AWSCURRENT'] } };
      default:
        return undefined;
    }
  }
}
