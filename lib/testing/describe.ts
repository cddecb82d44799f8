import type { StoreHarnessFactory } from './harness.js'
import { runStoreContractCase, storeContractCases } from './run.js'

/** Time for one case against a remote store: a few dozen round trips. */
const CASE_TIMEOUT_MS = 30_000

/** The two functions of a test runner the suite registers with: vitest's, or jest's, node:test's... */
export interface TestRunner {
  describe(name: string, body: () => void): unknown
  it(name: string, test: () => Promise<void>, timeoutMs?: number): unknown
}

/**
 * Registers the store contract as a suite: one test per behaviour, each on a fresh harness. Pass your runner's
 * `describe` and `it` (vitest, jest, node:test); they are taken from globals when the runner provides them
 * (vitest with `globals: true`, jest). The package imports no test runner itself, so it loads in ESM and CJS.
 *
 * ```ts
 * import { describe, it } from 'vitest'
 * describeStoreContract('MyStore', async () => ({ store: new MyStore(await freshTable()) }), { describe, it })
 * ```
 */
export function describeStoreContract<TOwnWrites>(
  name: string,
  factory: StoreHarnessFactory<TOwnWrites>,
  runner: TestRunner = globalRunner(),
): void {
  runner.describe(`${name} meets the store contract`, () => {
    for (const contractCase of storeContractCases)
      runner.it(contractCase.name, () => runStoreContractCase(contractCase, factory), CASE_TIMEOUT_MS)
  })
}

function globalRunner(): TestRunner {
  const globals = globalThis as Partial<TestRunner>
  if (typeof globals.describe === 'function' && typeof globals.it === 'function')
    return { describe: globals.describe, it: globals.it }
  throw new TypeError(
    "describeStoreContract needs your test runner's describe and it: pass { describe, it } from 'vitest' as its third argument",
  )
}
