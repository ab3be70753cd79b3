import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const imports = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]!);

describe('dependency direction (DESIGN.md)', () => {
  it.each(['lambda/domain', 'lambda/use-cases'])(
    '%s imports no AWS SDK, Powertools or I/O, and reads no process.env',
    (dir) => {
      for (const file of sourceFiles(dir)) {
        const text = readFileSync(join(ROOT, file), 'utf8');
        expect(
          imports(file).filter((m) =>
            /^(@aws-sdk|@smithy|@aws-lambda-powertools|aws-sdk|node:(fs|http|https|net|child_process))/.test(
              m,
            ),
          ),
          file,
        ).toEqual([]);
        expect(text.includes('process.env'), file).toBe(false);
      }
    },
  );

  const resolved = (file: string, specifier: string) => relative(ROOT, join(ROOT, file, '..', specifier));
  const relativeImports = (file: string) =>
    imports(file)
      .filter((m) => m.startsWith('.'))
      .map((m) => resolved(file, m));

  it('the domain depends on nothing else in lambda/', () => {
    // Two exceptions, both pure: the client's JSON codec for 64-bit integers, so both ends write the
    // same digits, and its rule for secrets in URLs, so environment files and imports refuse the same.
    const shared = new Set(['client/src/exact-json', 'client/src/url-credentials']);
    for (const file of sourceFiles('lambda/domain')) {
      expect(
        relativeImports(file).filter((target) => !target.startsWith('lambda/domain/') && !shared.has(target)),
        file,
      ).toEqual([]);
    }
  });

  it('use cases depend only on the domain and each other', () => {
    for (const file of sourceFiles('lambda/use-cases')) {
      expect(
        relativeImports(file).filter((target) => !/^lambda\/(domain|use-cases)\//.test(target)),
        file,
      ).toEqual([]);
    }
  });

  it('handlers stay thin: parse → one use case → envelope', () => {
    for (const file of sourceFiles('lambda/handlers')) {
      expect(readFileSync(join(ROOT, file), 'utf8').split('\n').length, file).toBeLessThanOrEqual(45);
    }
  });
});
