import { createRequire } from 'node:module'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import * as esm from 'lambda-idempotency'

// The dual-package hazard, in one process: the app registers the middleware from the ESM build while a module
// of its own (or a dependency) require()s the CommonJS build. Two copies of the code are loaded; the handle
// registry is shared through globalThis, so idempotencyOf still works across them. Classes are per copy.
const cjs = createRequire(import.meta.url)('lambda-idempotency') as typeof esm
if (cjs.makeIdempotent === esm.makeIdempotent) throw new Error('smoke: expected two copies of the package')

const context = { functionName: 'smoke', getRemainingTimeInMillis: () => 10_000 } as unknown as Context
let found = false
const handler = middy(async (_event: { id: string }, context: Context) => {
  found = cjs.idempotencyOf(context) !== undefined
  return 'ok'
}).use(esm.idempotency({ store: new cjs.InMemoryStore(), key: (event: { id: string }) => event.id }))
await handler({ id: 'h-1' }, context)
if (!found) throw new Error('smoke: idempotencyOf from the CommonJS copy misses the ESM copy’s handle')

// Errors are per copy too: `instanceof` sees only its own class, isIdempotencyError sees both.
const fromCjs = new cjs.IdempotencyInProgressError(1_000)
if (fromCjs instanceof esm.IdempotencyError) throw new Error('smoke: expected two IdempotencyError classes')
if (!esm.isIdempotencyError(fromCjs) || !cjs.isIdempotencyError(new esm.IdempotencyPayloadMismatchError()))
  throw new Error('smoke: isIdempotencyError misses an error from the other copy')
if (esm.isIdempotencyError(new Error('plain')) || esm.isIdempotencyError(null))
  throw new Error('smoke: isIdempotencyError accepts what is not a toolkit error')
console.log('dual-package consumer: ok')
