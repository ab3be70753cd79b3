/**
 * `npm run environment-schema`: writes environments/environment.schema.json, the JSON Schema
 * editors use for `environments/{name}.json` (`"$schema": "./environment.schema.json"`), from the
 * zod schema `cdk synth` checks them with (client/src/environment-file.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentJsonSchema } from '../lib/config/environment-json-schema';

writeFileSync(
  join(import.meta.dirname, '../environments/environment.schema.json'),
  `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`,
);
