import { Logger } from '@aws-lambda-powertools/logger';

const serviceName = 'comfy-exec';

/** Structured JSON logs; handlers add `prompt_id` as a key. Traces: ./tracing.ts. */
export const logger = new Logger({ serviceName });
