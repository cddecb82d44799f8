import type { DurableContext } from '@aws/durable-execution-sdk-js'
import {
  type DurableEnvelope,
  type DurableExecutions,
  LocalDurableExecutions,
  makeDurableIdempotent,
} from '../../lib/durable/index.js'
import type { IdempotencyStore } from '../../lib/index.js'
import { silent } from './events.js'

/** A day: what the durable function is deployed with (`durableConfig.executionTimeout`). */
export const EXECUTION_TIMEOUT_SECONDS = 86_400

/**
 * A durable order workflow behind the durable wrapper, run by the local runner: its one step records every
 * order it shipped, so tests see how often the work really ran. `hold` keeps it running until the test lets go;
 * `fail` makes it fail after shipping.
 */
export function durableOrders(
  store: IdempotencyStore,
  options: { hold?: Promise<void>; fail?: (input: unknown) => boolean } = {},
) {
  const shipped: unknown[] = []
  const workflow = makeDurableIdempotent(
    async (event: DurableEnvelope, context: DurableContext) => {
      await context.step('ship', async () => {
        await options.hold
        shipped.push(event.input)
      })
      if (options.fail?.(event.input)) throw new Error('the carrier refused the parcel: account 123456789012')
      return { shipped: event.input }
    },
    { store, executionTimeoutSeconds: EXECUTION_TIMEOUT_SECONDS, logger: silent },
  )
  const executions = new LocalDurableExecutions({ handler: workflow })
  /** Waits for every execution started so far to end. */
  const settled = () => Promise.all(executions.list().map((execution) => executions.settled(execution.name)))
  return { executions, shipped, settled }
}

/** Executions whose start fails for the names `failing` picks, as a throttled Lambda API would. */
export function failingStarts(
  executions: DurableExecutions,
  failing: (input: unknown) => boolean,
  error: () => Error,
): DurableExecutions {
  return {
    start: async (name, input) => {
      if (failing(input)) throw error()
      return executions.start(name, input)
    },
    get: (name) => executions.get(name),
  }
}
