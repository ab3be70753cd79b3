import { defineConfig } from 'vitest/config';

// The SDK's Node 20 notice is noise here (the Lambda runtime is nodejs22.x); global setup loads the SDK too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// pool 'forks' is required: NodejsFunction bundling fails under worker threads (toolchain.md §7).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Vitest's default on 2 cores is one worker: the end-to-end files mostly wait on their stacks'
    // processes (Java, the simulator, child CLIs), so three at once shorten the wall time on a
    // 2-core machine. Two timing-dependent failures this exposed are fixed (docs/reliability.md).
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/matchers.ts'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  },
});
