import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js'
import { LocalDurableTestRunner, type TestResult } from '@aws/durable-execution-sdk-js-testing'
import { afterAll, beforeAll, beforeEach } from 'vitest'

/** The real clock, taken before the runner's fake timers replace `Date`. */
const realNow = Date.now.bind(Date)

/**
 * The durable execution SDK's local runner for this test file: an in-process checkpoint server, with waits and
 * step retry delays skipped (its fake clock advances with real time, so DynamoDB Local still answers).
 *
 * Skipping a delay moves the fake clock that far ahead of the checkpoint server's real one, and a later delay of
 * the same length would then look due at once: retried inside the invocation instead of in a new one. Each test
 * starts with the fake clock back on real time.
 */
export function useLocalDurableRunner(): void {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }))
  beforeEach(() => fakeClockOf(LocalDurableTestRunner)?.setSystemTime(realNow()))
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment())
}

/** The runner keeps its fake clock in a static field it does not export. */
const fakeClockOf = (runner: object) =>
  (runner as { fakeClock?: { setSystemTime(epochMs: number): void } }).fakeClock

/** Runs one durable execution of a durable Lambda handler (a fresh execution ARN each call) to its end. */
export function runExecution<TResult = unknown>(
  handler: DurableLambdaHandler,
  payload: unknown,
): Promise<TestResult<TResult>> {
  const runner = new LocalDurableTestRunner<TResult>({ handlerFunction: handler })
  return runner.run({ payload })
}

export interface Charge {
  readonly chargeId: string
  readonly amount: number
}

/**
 * A payment gateway with idempotency keys of its own, as real ones have: a second call with a key it has seen
 * returns the first charge and moves no money. `calls` counts every request, `charges` the money moved.
 */
export function fakeBank() {
  const byKey = new Map<string, Charge>()
  const bank = {
    calls: 0,
    get charges(): number {
      return byKey.size
    },
    async charge(key: string, amount: number): Promise<Charge> {
      bank.calls++
      const earlier = byKey.get(key)
      if (earlier !== undefined) return earlier
      const charge = { chargeId: `ch_${byKey.size + 1}`, amount }
      byKey.set(key, charge)
      return charge
    },
  }
  return bank
}

/** A promise the test resolves when it chooses: holds an execution mid-step while another one runs. */
export function gate() {
  let open: () => void = () => undefined
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/**
 * The durable function with a checkpoint service that refuses, for good, the checkpoint that succeeds the step
 * named `stepName`: a 4xx as the real service answers a refused payload or a disabled KMS key, from the client
 * the local runner hands the invocation. The SDK classifies it and fails the execution.
 */
export function refusingCheckpointOf(stepName: string, handler: DurableLambdaHandler): DurableLambdaHandler {
  return async (event, context) => {
    const client = (event as { durableExecutionClient?: { checkpoint: CheckpointCall } })
      .durableExecutionClient
    if (client === undefined) throw new Error('the local runner hands no checkpoint client')
    const checkpoint = client.checkpoint.bind(client)
    client.checkpoint = async (params, logger) => {
      if (params.Updates?.some((update) => update.Name === stepName && update.Action === 'SUCCEED'))
        throw Object.assign(new Error('The checkpoint payload was refused (injected)'), {
          name: 'InvalidParameterValueException',
          $metadata: { httpStatusCode: 400 },
        })
      return checkpoint(params, logger)
    }
    return handler(event, context)
  }
}

type CheckpointCall = (
  params: { Updates?: { Name?: string; Action?: string }[] },
  logger: unknown,
) => Promise<unknown>

/** Lets code the SDK left running after it answered an invocation reach its next await. */
export async function settleLeftovers(): Promise<void> {
  for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve))
}
