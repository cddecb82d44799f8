/**
 * Middy 5-7 races the handler against a timer (`timeoutEarlyInMillis` before the deadline); when the timer
 * wins, `onError` sees an error named `TimeoutError` while the handler's promise keeps running, and in Lambda
 * that promise resumes when the environment thaws for a later request. `onError` cannot tell Middy's timer from
 * a `TimeoutError` the handler threw itself (an aborted fetch), so both keep the key: neither says whether the
 * work it cut short has stopped, and holding the key until its lease ends costs a wait, never a second effect.
 */
export function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | null | undefined)?.name === 'TimeoutError'
}
