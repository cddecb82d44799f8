#!/usr/bin/env node
import { processIo } from './io.js'

// The `lambda-idempotency` bin. No top-level await: the CommonJS build of this file must compile too. The
// commands load the AWS SDK, a peer dependency: without it, say what to install rather than print a trace.
void import('./run.js').then(
  async ({ run }) => {
    process.exitCode = await run(process.argv.slice(2), processIo())
  },
  (error: unknown) => {
    const { code, message } = error as { code?: string; message?: string }
    if (!/MODULE_NOT_FOUND/.test(code ?? '') || !message?.includes('@aws-sdk/client-dynamodb')) throw error
    process.stderr.write(
      'lambda-idempotency: needs the AWS SDK: run it from a project with @aws-sdk/client-dynamodb installed (npm install @aws-sdk/client-dynamodb).\n',
    )
    process.exitCode = 1
  },
)
