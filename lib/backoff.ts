/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits before trying again something refused for a moment (a throttled batch, a conflicting write, a lock):
 * `firstDelayMs` after the first attempt, twice as long after each one since.
 */
export const backOff = (firstDelayMs: number, attempt: number): Promise<void> =>
  sleep(firstDelayMs * 2 ** (attempt - 1))
