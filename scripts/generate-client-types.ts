/**
 * Writes client/src/generated/api-types.ts from lambda/http/openapi.json: each operation's method
 * and path, and the TypeScript types of its path parameters, query, body and success `data`.
 * The client is written against these types, so a route or field the client does not follow
 * fails `npm run typecheck`; test/client/generated-types.test.ts fails while the file is older
 * than the document.
 *
 *   npm run client-types
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClientTypes } from './client-types/generate';

const path = join(import.meta.dirname, '../client/src/generated/api-types.ts');
writeFileSync(path, await generateClientTypes());
console.log(`wrote ${path}`);
