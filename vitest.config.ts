import { defineConfig } from 'vitest/config';

// Lambda runs Node 22; the SDK's notice that it will drop Node 20 is noise here. Set on this
// process so the global setup (which hosts the local stack) inherits it too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    setupFiles: ['local/polyfills.ts'],
    // Handlers log and emit metrics as JSON to stdout; tests assert on them through spies instead.
    env: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_TRACE_ENABLED: 'false' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000 },
      },
      {
        // The console in Debian's Chromium (npm run test:e2e, which installs Chromium when missing);
        // the global setup builds web/ and starts a local stack that serves it.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Big files and sustained load (npm run test:heavy): minutes each, so kept out of npm test.
        extends: true,
        test: {
          name: 'heavy',
          include: ['test/heavy/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
