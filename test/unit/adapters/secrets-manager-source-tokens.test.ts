import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSourceTokens } from '../../../lambda/adapters/secrets-manager-source-tokens';

const secrets = mockClient(SecretsManagerClient);
beforeEach(() => secrets.reset());

const missing = () =>
  new ResourceNotFoundException({
    message: 'Secrets Manager can’t find the specified secret.',
    $metadata: {},
  });

describe("gated hosts' tokens from Secrets Manager", () => {
  it('keeps a token found, and asks again for a host without one unless told to keep that too', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'p/huggingface.co' })
      .resolves({ SecretString: ' hf_abc\n' });
    secrets.on(GetSecretValueCommand, { SecretId: 'p/example.com' }).rejects(missing());
    const probe = new SecretsManagerSourceTokens(new SecretsManagerClient({}), 'p/');
    expect(await probe.tokenFor('huggingface.co')).toBe('hf_abc');
    expect(await probe.tokenFor('huggingface.co')).toBe('hf_abc');
    expect(await probe.tokenFor('example.com')).toBeUndefined();
    expect(await probe.tokenFor('example.com')).toBeUndefined();
    // The probe: the token once, "no secret" each time (a secret added after a 401 counts at once).
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([
      'p/huggingface.co',
      'p/example.com',
      'p/example.com',
    ]);
    secrets.resetHistory();
    // The parts of an import: one question per host, whatever the answer.
    const parts = new SecretsManagerSourceTokens(new SecretsManagerClient({}), 'p/', {
      cacheMs: 300_000,
      cacheAbsentMs: 300_000,
    });
    for (let part = 0; part < 3; part++) await parts.tokenFor('example.com');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
