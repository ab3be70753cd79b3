import { DynamoDbUsageStore } from '../adapters/dynamodb-usage-store';
import type { GetUsageDeps } from '../use-cases/get-usage';
import { documentClient } from './clients';
import { clock } from './composition-parts';
import { functionEnv } from './env';

/** The usage table's reader, for GET /usage and for the daily cap of the creating functions. */
export function usageStore(name: 'get-usage' | 'create-execute' | 'comfyui-api'): DynamoDbUsageStore {
  const env = functionEnv(name);
  return new DynamoDbUsageStore(documentClient({ region: env.AWS_REGION }), env.USAGE_TABLE_NAME);
}

/** GET /usage: the table, the operator keys, and the prices it estimates costs with. */
export function getUsageDeps(): GetUsageDeps {
  const env = functionEnv('get-usage');
  return {
    usage: usageStore('get-usage'),
    clock,
    config: {
      operatorKeys: new Set(env.OPERATOR_KEYS),
      pricePerHour: JSON.parse(env.PRICE_PER_HOUR) as Record<string, number>,
      currency: env.CURRENCY,
      instanceTypes: JSON.parse(env.ENDPOINT_INSTANCE_TYPES) as Record<string, string>,
    },
  };
}
