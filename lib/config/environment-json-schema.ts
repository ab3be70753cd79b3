import * as z from 'zod/mini';
import { EnvironmentFileSchema } from '../../client/src/environment-file';

/** The environment file's JSON Schema, as editors read it: what may be written (defaults optional). */
export function environmentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(EnvironmentFileSchema, { io: 'input' }),
    title: 'comfy-exec environment (environments/{name}.json)',
  };
}
