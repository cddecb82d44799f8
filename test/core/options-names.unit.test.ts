import type { Context } from 'aws-lambda'
import { describe, expect, it, vi } from 'vitest'
import {
  httpAccepted,
  LocalDurableExecutions,
  makeDurableDispatcher,
  makeDurableIdempotent,
  makeHttpAccepted,
  makeOperationsHandler,
} from '../../lib/durable/index.js'
import {
  InMemoryVersionStore,
  InMemoryWatermarkStore,
  makeIdempotentBatchHandler,
  makeIdempotentFunction,
  makeVersioned,
  makeVersionedBatchHandler,
  sqsBatch,
  watermarkJob,
} from '../../lib/events/index.js'
import { httpIdempotency, makeHttpIdempotent } from '../../lib/http/index.js'
import { InMemoryStore, idempotency, makeIdempotent } from '../../lib/index.js'
import { httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

// One word per concept, and no option silently ignored: a typo is refused when the wrapper is built.

const store = new InMemoryStore()
const executions = new LocalDurableExecutions({ handler: async () => ({}) })
const silent = { warn: () => undefined }
const handler = async () => ({ statusCode: 200 })
const entity = () => ({ id: 'e', version: 1 })

/** Each public wrapper, built with one option more than it takes: `ttlSecond`, a typo of `ttlSeconds`. */
const wrappers: ReadonlyArray<readonly [string, (typo: object) => unknown]> = [
  ['makeIdempotent', (typo) => makeIdempotent(handler, { store, key: () => 'k', ...typo })],
  ['idempotency', (typo) => idempotency({ store, key: () => 'k', ...typo })],
  ['makeHttpIdempotent', (typo) => makeHttpIdempotent(handler, { store, ...typo })],
  ['httpIdempotency', (typo) => httpIdempotency({ store, ...typo })],
  ['makeHttpAccepted', (typo) => makeHttpAccepted({ store, executions, input: () => ({}), ...typo })],
  ['httpAccepted', (typo) => httpAccepted({ store, executions, input: () => ({}), ...typo })],
  ['makeOperationsHandler', (typo) => makeOperationsHandler({ executions, ...typo })],
  [
    'makeDurableIdempotent',
    (typo) => makeDurableIdempotent(handler, { store, executionTimeoutSeconds: 60, ...typo }),
  ],
  ['makeDurableDispatcher', (typo) => makeDurableDispatcher(sqsBatch, { executions, ...typo })],
  ['makeIdempotentBatchHandler', (typo) => makeIdempotentBatchHandler(sqsBatch, handler, { store, ...typo })],
  [
    'makeVersionedBatchHandler',
    (typo) =>
      makeVersionedBatchHandler(sqsBatch, handler, { store: new InMemoryVersionStore(), entity, ...typo }),
  ],
  ['makeVersioned', (typo) => makeVersioned(handler, { store: new InMemoryVersionStore(), entity, ...typo })],
  [
    'watermarkJob',
    (typo) => watermarkJob({ store: new InMemoryWatermarkStore(), name: 'j', initial: 0, ...typo }),
  ],
  [
    'makeIdempotentFunction',
    (typo) => makeIdempotentFunction(handler, { store, operation: 'charge', ...typo }),
  ],
]

describe('option keys a wrapper does not take', () => {
  it.each(wrappers)(
    'are refused by %s when it is built, naming the key and every option it takes',
    (name, build) => {
      expect(() => build({ ttlSecond: 60 })).toThrow(TypeError)
      expect(() => build({ ttlSecond: 60 })).toThrow(
        new RegExp(`^${name} does not take the option 'ttlSecond'. It takes: `),
      )
    },
  )

  it.each(wrappers)(
    'pass %s when set to undefined, as a spread of shared options leaves them',
    (_, build) => {
      expect(() => build({ ttlSecond: undefined })).not.toThrow()
    },
  )
})

describe('options renamed to one word per concept', () => {
  it('reads waitForInFlightMs as maxWaitMs, warning that the old name goes in the next major version', async () => {
    const warn = vi.fn()
    let releaseTwin: () => void = () => undefined
    const twinDone = new Promise<void>((resolve) => {
      releaseTwin = resolve
    })
    const wrapped = makeIdempotent(
      async (event: { wait: boolean }) => {
        if (event.wait) await twinDone
        return 'charged'
      },
      {
        store: new InMemoryStore(),
        key: () => 'k',
        payload: () => 1,
        waitForInFlightMs: () => 2_000,
        logger: { warn },
      },
    )
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/'waitForInFlightMs' is deprecated.*use 'maxWaitMs'/),
      {
        option: 'waitForInFlightMs',
      },
    )
    const first = wrapped({ wait: true }, lambdaContext())
    const second = wrapped({ wait: false }, lambdaContext())
    setTimeout(releaseTwin, 100)
    // Waited for its twin, as maxWaitMs would, instead of answering in-progress at once.
    await expect(second).resolves.toBe('charged')
    await first
  })

  it('refuses a deprecated name given beside its new one with another value, since one of the two would be ignored', () => {
    const warn = vi.fn()
    expect(() =>
      makeIdempotent(handler, {
        store,
        key: () => 'k',
        maxWaitMs: 0,
        waitForInFlightMs: () => 5_000,
        logger: { warn },
      }),
    ).toThrow(/both 'maxWaitMs' and the deprecated 'waitForInFlightMs'/)
    expect(() =>
      makeHttpIdempotent(handler, {
        store,
        payload: (body) => body,
        fingerprint: () => 'same for every body',
        logger: { warn },
      }),
    ).toThrow(/both 'payload' and the deprecated 'fingerprint'/)
  })

  it('reads the HTTP fingerprint option as payload, warning the same way', async () => {
    const warn = vi.fn()
    const wrapped = makeHttpIdempotent(async () => ({ statusCode: 201, body: 'ok' }), {
      store: new InMemoryStore(),
      fingerprint: () => 'same for every body',
      logger: { warn, info: silent.warn },
    })
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/'fingerprint' is deprecated.*use 'payload'/), {
      option: 'fingerprint',
    })
    const headers = {
      'Idempotency-Key': '3f0c6d6e-6c1f-4a43-9c2b-1d7b8b2c4a10',
      'Content-Type': 'application/json',
    }
    const request = (body: string) => httpApiEvent({ sub: 'user-1', headers, body })
    const context = lambdaContext() as unknown as Context
    await wrapped(request('{"amount":1}'), context)
    const other = await wrapped(request('{"amount":2}'), context)
    // The covered part is the same, so another body replays instead of answering 422.
    expect(other.statusCode).toBe(201)
    expect(other.headers?.['Idempotent-Replayed']).toBe('true')
  })
})
