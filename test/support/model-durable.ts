import fc from 'fast-check'
import { FAULT_KINDS, type FaultKind } from './faults.js'

/** The payout workflow's steps, in order; a wait follows each, so every step boundary is a suspension. */
export const STEPS = ['quote', 'transfer', 'notify'] as const
/** The step whose body calls the bank. */
export const TRANSFER = STEPS.indexOf('transfer')

/**
 * How an execution fails, if it does. `handler-throws`: a business error after the step (the release step runs).
 * The SDK's own failures, never an error the handler sees: `renamed-step`, the step named otherwise once it is
 * checkpointed (non-determinism on replay); `context-misuse`, the parent context used inside a child context.
 */
export type Failure = 'none' | 'handler-throws' | 'renamed-step' | 'context-misuse'
export const SDK_FAILURES: ReadonlySet<Failure> = new Set(['renamed-step', 'context-misuse'])

/** What one execution does: its key, its payload, and what goes wrong in it. */
export interface ExecutionScript {
  readonly key: number
  /** Another amount under the same key: a payload mismatch, unless this execution claims the key first. */
  readonly mismatch: boolean
  /** The step whose first attempt dies before its checkpoint (after the bank call, for the transfer). */
  readonly crashAt: number | undefined
  readonly failure: Failure
  /** The step the failure is at. */
  readonly failAt: number
  /** Where the own write is made, outside steps: before step n, or after the last wait (STEPS.length). */
  readonly ownWriteAt: number
}

/** Executions started at once (one alone runs sequentially), after the clock moved past every record if `aged`. */
export interface Wave {
  readonly aged: boolean
  readonly executions: readonly ExecutionScript[]
}

export interface DurableScenario {
  readonly waves: readonly Wave[]
  /** Per key: whether its executions make an own write (DynamoDB: a completion with TransactWriteItems). */
  readonly credits: readonly boolean[]
  /** Faults by store command, in order: each attempt of the command takes the next one. */
  readonly faults: Readonly<Record<string, readonly FaultKind[]>>
  /**
   * The function's clock 6 minutes ahead of the service's at every invocation's start, as after checkpoints
   * slower than the toolkit's retry delays: its store retries are then due at once, inside the invocation,
   * where otherwise the SDK suspends for them.
   */
  readonly clockAhead: boolean
}

export interface ScenarioShape {
  readonly keys: number
  readonly maxWaves: number
  readonly maxConcurrent: number
  /** The store's commands that write: claim, completion, release, commit. */
  readonly commands: readonly string[]
}

const scripts = (keys: number) =>
  fc.record({
    key: fc.nat({ max: keys - 1 }),
    mismatch: fc.constantFrom(false, false, false, false, false, true),
    crashAt: fc.option(fc.nat({ max: STEPS.length - 1 }), { nil: undefined }),
    failure: fc.oneof(
      { weight: 5, arbitrary: fc.constant<Failure>('none') },
      fc.constantFrom<Failure>('handler-throws', 'renamed-step', 'context-misuse'),
    ),
    failAt: fc.nat({ max: STEPS.length - 1 }),
    ownWriteAt: fc.nat({ max: STEPS.length }),
  })

const faultList = fc.array(fc.constantFrom<FaultKind>('none', 'none', ...FAULT_KINDS), { maxLength: 3 })

/** Scenarios of a few keys: duplicates in sequence and at once, mismatches, reuse after expiry, faults. */
export function durableScenarios(shape: ScenarioShape): fc.Arbitrary<DurableScenario> {
  const wave = fc.record({
    aged: fc.boolean(),
    executions: fc.array(scripts(shape.keys), {
      minLength: 1,
      maxLength: shape.maxConcurrent,
    }),
  })
  return fc.record({
    waves: fc.array(wave, { minLength: 1, maxLength: shape.maxWaves }),
    credits: fc.array(fc.boolean(), { minLength: shape.keys, maxLength: shape.keys }),
    faults: fc.record(Object.fromEntries(shape.commands.map((command) => [command, faultList]))),
    clockAhead: fc.boolean(),
  })
}

/** One execution for a chosen run: key 0, no failure, its own write after the first step, unless `over` says. */
export const execution = (over: Partial<ExecutionScript> = {}): ExecutionScript => ({
  key: 0,
  mismatch: false,
  crashAt: undefined,
  failure: 'none',
  failAt: 0,
  ownWriteAt: 1,
  ...over,
})

/** A chosen run: its waves (each a list of executions started at once), faults, and keys that credit (all). */
export function chosen(
  waves: readonly (readonly ExecutionScript[] | { aged: true; executions: readonly ExecutionScript[] })[],
  faults: DurableScenario['faults'] = {},
  clockAhead = false,
): DurableScenario {
  return {
    waves: waves.map((wave) => ('aged' in wave ? wave : { aged: false, executions: wave })),
    credits: [true, true, true],
    faults,
    clockAhead,
  }
}
