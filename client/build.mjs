// Builds dist/: the library (for browsers and Node), its Node helpers, and the command line.
// The library keeps its dependencies as imports: an app bundling it picks each one's browser or
// Node build. The command line has every dependency bundled in, so it runs from wherever it is
// installed (`npm install -g ./client`, `npm link`, a packed tarball) without resolving anything.
import { buildSync } from 'esbuild';

const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning' };
buildSync({
  ...common,
  packages: 'external',
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  platform: 'neutral',
  mainFields: ['module', 'main'],
});
buildSync({
  ...common,
  packages: 'external',
  entryPoints: { node: 'src/node/index.ts' },
  outdir: 'dist',
  platform: 'node',
});
buildSync({
  ...common,
  entryPoints: { cli: 'cli/main.ts' },
  outfile: 'dist/cli.js',
  platform: 'node',
  // CommonJS dependencies (commander, cli-progress, ws) require() Node's modules: give them a require.
  banner: {
    js: "import { createRequire as createRequireForCommonJs } from 'node:module'; const require = createRequireForCommonJs(import.meta.url);",
  },
});
