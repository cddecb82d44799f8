#!/usr/bin/env node
import { processIo } from './io.js'

// The `lambda-idempotency` bin. No top-level await: the CommonJS build of this file must compile too. The
// store's client (the AWS SDK, or pg) is a peer dependency, loaded only once a command has chosen its store:
// backend.ts (withPeer) says what to install when it is missing.
void import('./run.js').then(async ({ run }) => {
  process.exitCode = await run(process.argv.slice(2), processIo())
})
