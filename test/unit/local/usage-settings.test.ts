import { describe, expect, it } from 'vitest';
import { apiKeyId, localUsageEnv } from '../../../local/usage-settings';

const A = 'alphaAlpha0123456789';
const B = 'bravoBravo0123456789';

describe("npm start's usage settings", () => {
  it('takes a key by its value or by its id (GET /usage shows ids), and says what names no key', () => {
    const warnings: string[] = [];
    const env = localUsageEnv(
      {
        apiKeys: [A, B],
        operatorKeys: [apiKeyId(B)],
        gpuSecondsPerDay: { [apiKeyId(B)]: 1, [A]: 5, '*': 60, notAKey: 9 },
        pricePerHour: { 'ml.g5.2xlarge': 2 },
      },
      'ml.g5.xlarge',
      (line) => warnings.push(line),
    );
    expect(env.OPERATOR_KEYS).toBe(apiKeyId(B));
    expect(JSON.parse(env.GPU_SECONDS_PER_DAY)).toEqual({
      [apiKeyId(B)]: 1,
      [apiKeyId(A)]: 5,
      '*': 60,
      [apiKeyId('notAKey')]: 9,
    });
    expect(warnings).toEqual([
      'PRICE_PER_HOUR names no ml.g5.xlarge, the type the local endpoints run on: no cost is estimated',
      'GPU_SECONDS_PER_DAY names a key that is none of API_KEYS (values or key-… ids): it applies to no key',
    ]);
    // The warning never prints a key's value.
    expect(warnings.join('\n')).not.toContain('notAKey');
  });

  it('makes the first key the operator by default', () => {
    expect(localUsageEnv({ apiKeys: [A, B] }, 'ml.g5.xlarge', () => {}).OPERATOR_KEYS).toBe(apiKeyId(A));
  });
});
