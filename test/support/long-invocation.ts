/** Lambda's longest timeout: a function may hold its claim this long. */
export const FIFTEEN_MINUTES_MS = 15 * 60_000

/** A Lambda-like context at the start of a 15-minute invocation, its remaining time read off a fake clock. */
export function fifteenMinuteContext(clock: { nowMs: number }, functionName = 'payments') {
  const deadlineMs = clock.nowMs + FIFTEEN_MINUTES_MS
  return { functionName, getRemainingTimeInMillis: () => Math.max(0, deadlineMs - clock.nowMs) }
}

/** A handler body that waits until released, and a promise that settles once it has started. */
export function heldBody() {
  let begin: () => void = () => undefined
  let finish: () => void = () => undefined
  const started = new Promise<void>((resolve) => {
    begin = resolve
  })
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  const hold = async () => {
    begin()
    await finished
  }
  return { started, finish, hold }
}
