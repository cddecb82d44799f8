/** Where a durable execution stands: `failed` also covers executions that timed out or were stopped. */
export type ExecutionStatus = 'running' | 'succeeded' | 'failed'

export interface ExecutionState {
  readonly name: string
  readonly status: ExecutionStatus
  /** The input it was started with. */
  readonly input: unknown
  /** What the handler returned: `succeeded` only. */
  readonly result?: unknown
  /** `failed` only: the error's type (`IdempotencyInProgressError`, `TIMED_OUT`, ...) and message. */
  readonly error?: { readonly type?: string; readonly message?: string }
}

export interface ExecutionStart {
  readonly name: string
  /**
   * `started`: this call started the execution, or (on Lambda, which does not say which) found it running with
   * the same input. Otherwise the state of the execution this call found under the name, unchanged.
   */
  readonly status: 'started' | ExecutionStatus
}

/**
 * Starts and reads the executions of one durable function by name. A name is an idempotency key: one name is one
 * execution, however many times it is started, for as long as the service remembers it (Lambda: the function's
 * retention period after the execution ends). `LambdaDurableExecutions` is the deployed one;
 * `LocalDurableExecutions` runs executions in-process for tests and local development.
 */
export interface DurableExecutions {
  /**
   * Starts the execution `name` with `input`, or finds the one already started under it with the same input.
   * Throws `DurableExecutionConflictError` when `name` was started with another input, and
   * `DurableExecutionUnavailableError` when the service could not be asked.
   */
  start(name: string, input: unknown): Promise<ExecutionStart>
  /** The execution under `name`, or undefined when there is none (or it is no longer remembered). */
  get(name: string): Promise<ExecutionState | undefined>
}
