import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreCatalog } from '../../../lambda/catalog/core-catalog';

const JSON_PATH = join(import.meta.dirname, '../../../lambda/catalog/core-object-info.json');

describe('the packed core catalog', () => {
  it('unpacks to exactly core-object-info.json (run scripts/pack-core-catalog.ts after changing it)', () => {
    expect(coreCatalog()).toEqual(JSON.parse(readFileSync(JSON_PATH, 'utf8')));
  });

  it('is unpacked once and shared', () => {
    expect(coreCatalog()).toBe(coreCatalog());
    expect(Object.keys(coreCatalog())).toContain('KSampler');
  });
});
