import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bundleLambda,
  coldStartBytes,
  LIB_DYNAMODB_STAND_IN,
  packageBytes,
} from '../../lib/bundling/lambda-bundle';

const dir = mkdtempSync(join(tmpdir(), 'lambda-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bundleLambda', () => {
  it('splits what only import() reaches into a chunk the cold start does not load', () => {
    writeFileSync(join(dir, 'eager.ts'), `export const eager = '${'e'.repeat(2000)}';\n`);
    writeFileSync(join(dir, 'lazy.ts'), `export const lazy = '${'l'.repeat(50000)}';\n`);
    writeFileSync(
      join(dir, 'entry.ts'),
      `import { eager } from './eager';
export const handler = async (event: { lazy?: boolean }) =>
  event.lazy ? (await import('./lazy')).lazy.length : eager.length;
`,
    );
    const out = join(dir, 'out');
    const metafile = bundleLambda(join(dir, 'entry.ts'), out);

    expect(existsSync(join(out, 'index.mjs'))).toBe(true);
    expect(existsSync(join(out, 'index.mjs.map'))).toBe(true);
    expect(readdirSync(join(out, 'chunks')).some((name) => name.startsWith('lazy-'))).toBe(true);
    expect(coldStartBytes(metafile)).toBeLessThan(10_000);
    expect(packageBytes(metafile)).toBeGreaterThan(50_000);

    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(join(out, 'index.mjs'))});
         console.log(await handler({}), await handler({ lazy: true }));`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('2000 50000');
  });

  it('leaves semver out of a function with the Tracer, and the bundle still loads', () => {
    const out = join(dir, 'health');
    const metafile = bundleLambda(join(import.meta.dirname, '../../lambda/handlers/health.ts'), out);

    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.includes('aws-xray-sdk-core/'))).toBe(true);
    expect(inputs.filter((input) => input.includes('node_modules/semver/'))).toEqual([]);
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(join(out, 'index.mjs'))});`],
      { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('refuses a bundle in which anything but the X-Ray SDK imports semver', () => {
    writeFileSync(
      join(dir, 'semver-user.ts'),
      `import semver from 'semver';
export const handler = async () => semver.gte('1.0.0', '0.1.0');
`,
    );

    expect(() => bundleLambda(join(dir, 'semver-user.ts'), join(dir, 'semver-out'))).toThrow(
      /semver-user\.ts imports semver/,
    );
  });

  it('stands in for lib-dynamodb with all of its exports but the paginators', () => {
    const exportsOf = (entry: string) => {
      const { metafile } = buildSync({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'node',
        write: false,
        metafile: true,
        outdir: join(dir, 'exports'),
        logLevel: 'error',
      });
      return Object.values(metafile.outputs)[0]!.exports.sort();
    };
    const real = exportsOf(
      join(import.meta.dirname, '../../node_modules/@aws-sdk/lib-dynamodb/dist-es/index.js'),
    );
    const paginators = real.filter((name) => name.startsWith('paginate'));

    expect(paginators.length).toBeGreaterThan(0);
    expect(exportsOf(LIB_DYNAMODB_STAND_IN)).toEqual(real.filter((name) => !paginators.includes(name)));
  });

  it('leaves the DynamoDB client out of a function that builds none', () => {
    const metafile = bundleLambda(
      join(import.meta.dirname, '../../lambda/handlers/workflows.ts'),
      join(dir, 'wf'),
      {
        sourcemap: false,
      },
    );
    const dynamodbBytes = Object.values(metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([input]) => /@aws-sdk\/(client-dynamodb|lib-dynamodb|util-dynamodb)\//.test(input))
      .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);

    expect(dynamodbBytes).toBeLessThan(500);
  });
});
