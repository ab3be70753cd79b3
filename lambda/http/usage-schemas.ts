import { z } from 'zod';
import type { Operation } from './openapi';
import { UsageQuerySchema } from './request-schemas';
import { envelopeSchema } from './response-schemas';

const counters = {
  executes: z.number().int().describe('executes that ended (or were deleted unfinished) this day'),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int().describe('cancelled, and deleted before they ended'),
  gpu_ms: z
    .number()
    .int()
    .describe(
      "the instance's busy time: each execute's timings.total_ms (the container's claim to its answer), else complete_time − start_time once claimed, else 0",
    ),
  gpu_seconds: z.number().describe('gpu_ms ÷ 1000'),
  queue_ms: z
    .number()
    .int()
    .describe('create_time → start_time (→ complete_time for an execute never claimed)'),
  output_bytes: z.number().int().describe('bytes of the output and temp files stored'),
};

export const UsageRowSchema = z.object({
  day: z.string().describe('UTC day each execute ended (complete_time)'),
  endpoint_name: z.string(),
  key: z.string().describe('the API key id (the records’ owner)'),
  ...counters,
  instance_type: z.string().nullable().describe("the endpoint's instance type"),
  estimated_cost: z
    .number()
    .nullable()
    .describe(
      "gpu_seconds ÷ 3600 × the instance type's price per hour (context pricePerHour); null without a price",
    ),
});

export const UsageDataSchema = z.object({
  from: z.string(),
  to: z.string(),
  key: z.string().describe("whose usage: the caller's key id, another key's, or * (every key)"),
  endpoint_name: z.string().nullable(),
  currency: z.string().describe('the currency of estimated_cost (context currency)'),
  rows: z.array(UsageRowSchema).describe('by day, key and endpoint; days without executes have no row'),
  totals: z.object({
    ...counters,
    estimated_cost: z.number().nullable().describe('null when a row with GPU time has no price'),
  }),
});

/** GET /usage, for the OpenAPI document (lambda/http/openapi.ts). */
export const USAGE_OPERATIONS: Record<string, Operation> = {
  GetUsage: {
    query: UsageQuerySchema(),
    responses: {
      200: ['Usage per day and endpoint, and its totals', envelopeSchema(200, UsageDataSchema)],
      400: ['Bad query: a date that is not YYYY-MM-DD, from after to, or too many days', envelopeSchema(400)],
      403: ["Another key's usage, asked for by a key that is not an operator key", envelopeSchema(403)],
    },
  },
};
