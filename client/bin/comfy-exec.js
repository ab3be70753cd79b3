#!/usr/bin/env node
// The `comfy-exec` command: dist/cli.js is built by `npm ci` (the root package's prepare script).
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  console.error('comfy-exec: not built yet; run `npm run build -w @comfy-exec/client` in the project');
  process.exit(3);
}
