import { parseWith } from '../http/parse-request';
import { UsageQuerySchema } from '../http/request-schemas';
import { httpHandler } from '../platform/http-handler';
import { getUsageDeps } from '../platform/usage-composition';
import { getUsage } from '../use-cases/get-usage';

/** GET /usage — GPU time, queue time, outcomes and output bytes per day and endpoint. */
export const handler = httpHandler(async ({ owner, query }) => {
  const data = await getUsage(parseWith(UsageQuerySchema(), query, 'query'), owner, getUsageDeps());
  return { statusCode: 200, data };
});
