import { IdempotencyError } from '../errors.js'

/**
 * Another run holds this partition's live lease, forced or not: this run did nothing. Retry after
 * `retryAfterSeconds`; by then the other run has completed (the retry replays its summary, or runs again if it
 * brings a new input version or `force`), or its lease has ended (the retry takes over). The same code as any
 * claim in progress: `in-progress`.
 */
export class PartitionBusyError extends IdempotencyError {
  readonly retryAfterSeconds: number
  constructor(job: string, partition: string, retryAfterMs: number) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
    super(
      `Another run of job '${job}' holds partition '${partition}'. Nothing ran; retry after ${retryAfterSeconds} s.`,
      'in-progress',
    )
    this.retryAfterSeconds = retryAfterSeconds
  }
}
