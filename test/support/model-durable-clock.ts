import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js'
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing'

/** The real clock, taken before the runner's fake timers replace `Date`. */
export const realNow = Date.now.bind(Date)

/** The runner keeps its fake clock in a static field it does not export. */
const fakeClock = () =>
  (LocalDurableTestRunner as unknown as { fakeClock?: { setSystemTime(epochMs: number): void } }).fakeClock

/**
 * Sets the function's clock at the start of every invocation to the service's (real time), plus `aheadMs`.
 *
 * The runner skips a delay by moving its fake clock to the delay's end as the checkpoint server reckons it, so
 * left alone the function's clock runs ever further ahead of the service's, and a retry that the SDK suspends
 * for on Lambda (any delay it cannot see end within its 20 ms termination cooldown) is found due at once and
 * made inside the invocation. Timers already set keep their delays.
 */
export function onServiceClock(handler: DurableLambdaHandler, aheadMs = 0): DurableLambdaHandler {
  return (event, context) => {
    fakeClock()?.setSystemTime(realNow() + aheadMs)
    return handler(event, context)
  }
}

/**
 * A delay the SDK suspends for: 5 s past the function clock's lead over the service's, so that it is never due
 * at once. The invocation ends, and a new one replays the execution when it is over.
 */
export function newInvocationDelay(): { seconds: number } {
  const lead = Math.max(0, Math.ceil((Date.now() - realNow()) / 1000))
  return { seconds: lead + 5 }
}
