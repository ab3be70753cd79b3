// Builds dist/: the library (for browsers and Node), its Node helpers, and the command line.
// Dependencies stay imports (npm installs them beside the package); types come from src/.
import { buildSync } from 'esbuild';

const common = { bundle: true, format: 'esm', target: 'es2022', packages: 'external', logLevel: 'warning' };
buildSync({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  platform: 'neutral',
  mainFields: ['module', 'main'],
});
buildSync({
  ...common,
  entryPoints: { node: 'src/node/index.ts', cli: 'cli/main.ts' },
  outdir: 'dist',
  platform: 'node',
});
