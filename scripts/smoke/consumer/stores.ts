import { InMemoryStore } from 'lambda-idempotency'
import { idempotencySchemaSql, type PostgresPool, PostgresStore } from 'lambda-idempotency/postgres'
import type { CollectedWrites } from 'lambda-idempotency/store'
import { runStoreContract, storeContractCases } from 'lambda-idempotency/testing'

// The subpaths for stores, from the installed tarball: the contract runs (no test runner needed), and the
// PostgreSQL store loads and queries through the pool it is given, without pg installed.

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`smoke: ${message}`)
}

export async function stores(): Promise<void> {
  const outcomes = await runStoreContract(() => {
    const store = new InMemoryStore()
    return {
      store,
      ownWrites: {
        write: (ownWrites: CollectedWrites<unknown>, id: string) => ownWrites.add({ id }),
        exists: async (id: string) =>
          store.committedWrites.some((write) => (write as { id?: string }).id === id),
      },
    }
  })
  const failed = outcomes.filter((outcome) => outcome.error !== undefined).map((outcome) => outcome.name)
  check(outcomes.length === storeContractCases.length, 'runStoreContract runs every case')
  check(failed.length === 0, `the in-memory store passes the store contract (failed: ${failed.join('; ')})`)

  const statements: string[] = []
  const pool: PostgresPool = {
    query: async (text) => {
      statements.push(text)
      return { rows: [], rowCount: 0 }
    },
    connect: async () => {
      throw new Error('no PostgreSQL in the smoke test')
    },
  }
  const store = new PostgresStore({ pool })
  check(
    (await store.get('k')) === undefined && statements.length === 1,
    'PostgresStore queries the pool it is given',
  )
  check(
    idempotencySchemaSql().includes('CREATE TABLE IF NOT EXISTS "idempotency_records"'),
    'the schema SQL is exported',
  )
}
