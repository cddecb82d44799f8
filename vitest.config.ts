import { defineConfig } from 'vitest/config'

// The AWS SDK warns on Node 20 that releases from 2027 need Node 22; the lockfile pins a release that runs here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' } as const

/**
 * Two projects. `unit`: `*.unit.test.ts`, pure logic on the in-memory store, no Java, no network, no child
 * process; the whole project runs in seconds (`npm run test:unit`). `integration`: everything else, against the
 * real servers the global setup starts (DynamoDB Local, PostgreSQL) or the ones DYNAMODB_ENDPOINT and
 * DATABASE_URL name, plus CDK synthesis, the browser and child processes. `npm test` runs both.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
          // Pure tests share one module graph per worker: importing the SDK once, not once per file, keeps this
          // fast. Forks, not threads: a worker thread's smaller stack changes what 10,000-deep JSON tests see.
          isolate: false,
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
})
