import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/** Where a function's code starts: `index.mjs`, exporting `handler`. */
export const LAMBDA_HANDLER = 'index.handler';

/**
 * How every function is bundled (the CDK construct deploys exactly this; `npm run bench` measures
 * exactly this). One minified ESM bundle per function with the AWS SDK inside (pinned to the
 * version the tests ran against, not the runtime's), and code splitting: modules reached only
 * through dynamic `import()` become chunks loaded when first called. The SDK's credential chain
 * imports its SSO, INI-file, process and web-identity providers that way; on Lambda the
 * environment's credentials answer first, so those ~80 KB are never compiled at cold start.
 */
/** semver's stand-in (see the file), and the only module allowed to import it. */
const SEMVER_STAND_IN = join(import.meta.dirname, 'semver-for-xray.cjs');
const SEMVER_IMPORTER = /node_modules\/aws-xray-sdk-core\/dist\/lib\/patchers\/aws_p\.js$/;
/** lib-dynamodb without its paginators, whose module-level calls kept DynamoDB in every bundle (see the file). */
export const LIB_DYNAMODB_STAND_IN = join(import.meta.dirname, 'lib-dynamodb-without-paginators.mjs');

const OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // For CommonJS dependencies that call require() (an ES module has none). None do today; the
  // banner keeps a new one from failing at its first call in production.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  alias: { semver: SEMVER_STAND_IN, '@aws-sdk/lib-dynamodb': LIB_DYNAMODB_STAND_IN },
  logLevel: 'error',
};

/** A bundle where anything but the X-Ray SDK's v2 patcher reached semver would get the stand-in. */
function assertSemverStandInScoped(metafile: Metafile) {
  const standIn = relative(process.cwd(), SEMVER_STAND_IN);
  for (const [input, { imports }] of Object.entries(metafile.inputs))
    if (imports.some((i) => i.path === standIn) && !SEMVER_IMPORTER.test(input))
      throw new Error(
        `${input} imports semver, which Lambda bundles replace (lib/bundling/semver-for-xray.cjs)`,
      );
}

/** Bundles `entry` into `outdir` (emptied first) and returns esbuild's metafile. */
export function bundleLambda(entry: string, outdir: string, options: { sourcemap?: boolean } = {}): Metafile {
  rmSync(outdir, { recursive: true, force: true });
  const result = buildSync({
    ...OPTIONS,
    entryPoints: [entry],
    outdir,
    sourcemap: options.sourcemap ?? OPTIONS.sourcemap,
    metafile: true,
  });
  assertSemverStandInScoped(result.metafile);
  return result.metafile;
}

/** Bytes a cold start loads: the entry and every chunk it imports statically, not the lazy ones. */
export function coldStartBytes(metafile: Metafile): number {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => path.endsWith('/index.mjs'));
  if (!entry) throw new Error('the bundle has no index.mjs');
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path]!.imports)
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return [...loaded].reduce((sum, path) => sum + outputs[path]!.bytes, 0);
}

/** Bytes of everything bundled (what the deployment package holds), source maps left out. */
export function packageBytes(metafile: Metafile): number {
  return Object.entries(metafile.outputs)
    .filter(([path]) => !path.endsWith('.map'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
}
