#!/usr/bin/env node
// The `comfy-exec` command: dist/cli.js is built by `npm ci` (the root package's prepare script).
try {
  await import('../dist/cli.js');
} catch (error) {
  // Only dist/cli.js itself missing means "not built": a module it imports missing is another fault.
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !/Cannot find module '[^']*dist\/cli\.js'/.test(error.message)
  )
    throw error;
  console.error('comfy-exec: not built yet; run `npm run build -w @comfy-exec/client` in the project');
  process.exit(3);
}
