import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = 'comfy-exec';

/** Structured JSON logs; handlers add `prompt_id` as a key. */
export const logger = new Logger({ serviceName });

/** X-Ray: every AWS client built by the client factory is captured (inactive outside Lambda). */
export const tracer = new Tracer({ serviceName });
