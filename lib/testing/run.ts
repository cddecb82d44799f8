import { claimCases } from './cases-claim.js'
import { fencingCases, retentionCases } from './cases-fencing.js'
import { ownWritesCases } from './cases-own-writes.js'
import { settledCases } from './cases-settled.js'
import type { StoreContractCase, StoreHarnessFactory } from './harness.js'

/**
 * Every behaviour an `IdempotencyStore` must have: claim, replay, mismatch, lease takeover, fenced completion and
 * release, zombies refused, retention, own writes that commit with the completion or not at all, and a
 * completion or release sent again after it landed applying nothing twice.
 */
export const storeContractCases: readonly StoreContractCase[] = [
  ...claimCases,
  ...fencingCases,
  ...retentionCases,
  ...ownWritesCases,
  ...settledCases,
]

export interface StoreContractOutcome {
  readonly name: string
  /** Undefined when the store passed the case. */
  readonly error?: unknown
}

/** Runs one case on a fresh harness from `factory`, closing it afterwards. Throws what the case threw. */
export async function runStoreContractCase<TOwnWrites>(
  contractCase: StoreContractCase,
  factory: StoreHarnessFactory<TOwnWrites>,
): Promise<void> {
  const harness = await factory()
  try {
    await contractCase.run(harness as Parameters<StoreContractCase['run']>[0])
  } finally {
    await harness.close?.()
  }
}

/** Runs every case in turn, for any test runner (or none), and reports each outcome instead of throwing. */
export async function runStoreContract<TOwnWrites>(
  factory: StoreHarnessFactory<TOwnWrites>,
  cases: readonly StoreContractCase[] = storeContractCases,
): Promise<StoreContractOutcome[]> {
  const outcomes: StoreContractOutcome[] = []
  for (const contractCase of cases) {
    try {
      await runStoreContractCase(contractCase, factory)
      outcomes.push({ name: contractCase.name })
    } catch (error) {
      outcomes.push({ name: contractCase.name, error })
    }
  }
  return outcomes
}
