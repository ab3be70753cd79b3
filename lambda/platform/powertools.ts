import { Logger } from '@aws-lambda-powertools/logger';

const serviceName = 'comfy-exec';

/**
 * Structured JSON logs; handlers add `prompt_id` as a key.
 *
 * No Powertools Tracer: it runs on the AWS X-Ray SDK, in maintenance mode since 2026-02-25 and
 * out of support from 2027-02-25, and it cost each function ~107 KB, ~23 ms of cold start and an
 * async hook on every promise (docs/performance.md). Lambda's active tracing still records each
 * invocation, which is what the envelope's trace_url opens.
 */
export const logger = new Logger({ serviceName });
