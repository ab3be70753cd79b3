import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lambda/http/openapi';

describe('lambda/http/openapi.json (what GET /api serves)', () => {
  it('is the document the route table and schemas describe today (else run `npm run openapi`)', () => {
    const served = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../lambda/http/openapi.json'), 'utf8'),
    );
    expect(served).toEqual(buildOpenApiDocument());
  });
});
