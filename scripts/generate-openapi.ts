/**
 * Writes lambda/http/openapi.json, the OpenAPI document GET /api serves, from the route table and
 * the zod schemas the handlers validate with. The api-doc function serves the file rather than
 * building it, so it carries neither zod classic nor its JSON Schema generator (~450 KB).
 * test/unit/http/openapi-document.test.ts fails while the file is out of date.
 *
 *   npm run openapi
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../lambda/http/openapi';

const path = join(import.meta.dirname, '../lambda/http/openapi.json');
writeFileSync(path, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${path}`);
