import { canonicalJson } from '../fingerprint.js'
import { DurableExecutionConflictError } from './errors.js'
import type { DurableExecutions, ExecutionStart, ExecutionState } from './executions.js'
import { checkExecutionName } from './names.js'

/** A durable Lambda handler, as `makeDurableIdempotent` (or `withDurableExecution`) returns it. */
// biome-ignore lint/suspicious/noExplicitAny: any handler the SDK's runner accepts; it checks the shape itself.
export type DurableLambdaHandlerLike = (event: any, context: any) => Promise<unknown>

export interface LocalDurableExecutionsOptions {
  /** The durable function: what `makeDurableIdempotent(...)` returns. */
  readonly handler: DurableLambdaHandlerLike
}

interface LocalExecution {
  readonly inputJson: string
  state: ExecutionState
  settled: Promise<ExecutionState>
}

/** Loaded on first use: the durable execution testing SDK is a development dependency, never a runtime one. */
const testingSdk = () => import('@aws/durable-execution-sdk-js-testing')

/**
 * Durable executions run in this process by the durable execution SDK's local runner
 * (`@aws/durable-execution-sdk-js-testing`, which must be installed): for tests and `npm start`, never for
 * production. Names behave as on Lambda: one execution per name; the same name with the same input finds it,
 * with another input throws `DurableExecutionConflictError`. Call `LocalDurableExecutions.setUp()` once before
 * the first start, and `tearDown()` at the end.
 */
export class LocalDurableExecutions implements DurableExecutions {
  private readonly executions = new Map<string, LocalExecution>()

  constructor(private readonly options: LocalDurableExecutionsOptions) {}

  /** Starts the runner's checkpoint server. `skipTime` skips waits and retry delays (tests only: it fakes timers). */
  static async setUp(options: { readonly skipTime?: boolean } = {}): Promise<void> {
    const { LocalDurableTestRunner } = await testingSdk()
    await LocalDurableTestRunner.setupTestEnvironment({ skipTime: options.skipTime ?? false })
  }

  static async tearDown(): Promise<void> {
    const { LocalDurableTestRunner } = await testingSdk()
    await LocalDurableTestRunner.teardownTestEnvironment()
  }

  async start(name: string, input: unknown): Promise<ExecutionStart> {
    checkExecutionName(name)
    // The input as Lambda would carry it: JSON, compared byte for byte with the first start's.
    const inputJson = canonicalJson(input)
    const existing = this.executions.get(name)
    if (existing !== undefined) {
      if (existing.inputJson !== inputJson) throw new DurableExecutionConflictError()
      return { name, status: existing.state.status }
    }
    const execution: LocalExecution = {
      inputJson,
      state: { name, status: 'running', input: JSON.parse(inputJson) },
      settled: Promise.resolve(undefined as never),
    }
    // Registered before any await, so a concurrent start of the same name finds it.
    this.executions.set(name, execution)
    execution.settled = this.run(name, execution)
    return { name, status: 'started' }
  }

  async get(name: string): Promise<ExecutionState | undefined> {
    return this.executions.get(name)?.state
  }

  /** The execution's final state, once it has ended: for tests and demos that wait for the work. */
  async settled(name: string): Promise<ExecutionState> {
    const execution = this.executions.get(name)
    if (execution === undefined) throw new Error(`No local durable execution is named ${name}`)
    return execution.settled
  }

  /** Every execution started, in start order. */
  list(): ExecutionState[] {
    return [...this.executions.values()].map((execution) => execution.state)
  }

  private async run(name: string, execution: LocalExecution): Promise<ExecutionState> {
    const { input } = execution.state
    try {
      const { LocalDurableTestRunner } = await testingSdk()
      const runner = new LocalDurableTestRunner({ handlerFunction: this.options.handler as never })
      const result = await runner.run({ payload: input })
      if (result.getStatus() === 'SUCCEEDED') {
        execution.state = { name, status: 'succeeded', input, result: result.getResult() }
      } else {
        const { errorType, errorMessage } = result.getError()
        execution.state = { name, status: 'failed', input, error: { type: errorType, message: errorMessage } }
      }
    } catch (error) {
      // The runner itself failed (an invocation crashed): Lambda would retry it; locally the execution fails.
      const { name: type, message } = error instanceof Error ? error : new Error(String(error))
      execution.state = { name, status: 'failed', input, error: { type, message } }
    }
    return execution.state
  }
}
