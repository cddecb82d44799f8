import fc from 'fast-check'
import { FAULT_KINDS, type FaultKind } from './faults.js'
import type { Behaviour, RequestPlan } from './model-trace.js'

export type Step = number | 'clock-jump'

/** Requests arrive in order; each step moves one parked invocation, lets the next request arrive, or jumps the clock. */
export interface Scenario {
  readonly requests: readonly RequestPlan[]
  readonly schedule: readonly Step[]
  /** The fault of each SDK attempt on the idempotency table, in the order they are sent. */
  readonly faults: readonly FaultKind[]
}

export interface ModelSize {
  readonly keys: number
  readonly maxRequests: number
}

/** Shrinks towards fewer requests, the first choice at every step, and no faults. */
export function scenarios({ keys, maxRequests }: ModelSize): fc.Arbitrary<Scenario> {
  const behaviour = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Behaviour>('completes') },
    { weight: 1, arbitrary: fc.constant<Behaviour>('fails-before-effect') },
    { weight: 1, arbitrary: fc.constant<Behaviour>('fails-after-effect') },
    { weight: 1, arbitrary: fc.constant<Behaviour>('crashes-after-effect') },
    { weight: 2, arbitrary: fc.constant<Behaviour>('stalls-after-effect') },
  )
  const step = fc.oneof(
    { weight: 12, arbitrary: fc.nat({ max: 1_000 }) },
    { weight: 1, arbitrary: fc.constant<Step>('clock-jump') },
  )
  // A burst of one fault for every attempt of a call outlasts the SDK's retries, so the engine sees it too.
  const kind = fc.constantFrom(...FAULT_KINDS)
  const faults = fc.oneof(
    { weight: 8, arbitrary: fc.constant<FaultKind[]>(['none']) },
    { weight: 2, arbitrary: kind.map((fault) => [fault]) },
    { weight: 1, arbitrary: kind.map((fault) => [fault, fault, fault]) },
  )
  return fc.record({
    requests: fc.array(fc.record({ key: fc.nat({ max: keys - 1 }), behaviour }), {
      minLength: 1,
      maxLength: maxRequests,
    }),
    schedule: fc.array(step, { maxLength: maxRequests * 8 }),
    faults: fc.array(faults, { maxLength: maxRequests * 5 }).map((chunks) => chunks.flat()),
  })
}
