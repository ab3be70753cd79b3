// Builds dist/: the app bundled and minified (Preact and the client library inside), its page
// and its styles. No inline script anywhere: the Content-Security-Policy allows 'self' only.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { faviconIco } from './favicon.mjs';

mkdirSync('dist', { recursive: true });
buildSync({
  entryPoints: { app: 'src/main.tsx' },
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: true,
  // exifreader and file-type (reading dropped PNGs and videos) load only when a file is dropped.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css', 'pages.css']) copyFileSync(file, `dist/${file}`);
writeFileSync('dist/favicon.ico', faviconIco());
