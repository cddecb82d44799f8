import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { deleteExpiredRecords, PostgresStore } from '../../lib/postgres/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'
import { inProgress, NOW_MS, NOW_SECONDS } from '../support/records.js'

/** One connection per claim of a round, plus the cleanup's and the test's own. */
const KEYS_PER_ROUND = 24
const ROUNDS = 20
const pool = testPool(KEYS_PER_ROUND + 4)
let tableName: string
let store: PostgresStore
let seq = 0
const freshKey = () => `fn#handler#cleanup-${++seq}-${randomUUID()}`

/** The pg_cron job's DELETE in docs/sql.md, on this file's table: what the docs tell operators to schedule. */
let documentedCronDelete: string

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool, 'cleanup')
  store = new PostgresStore({ pool, tableName })
  const docs = await readFile(new URL('../../docs/sql.md', import.meta.url), 'utf8')
  const body = /cron\.schedule\([^$]*\$\$([\s\S]*?)\$\$/.exec(docs)?.[1]
  if (body === undefined) throw new Error('docs/sql.md has no pg_cron statement between $$ markers')
  documentedCronDelete = body.trim().replaceAll(/\bidempotency_records\b/g, tableName)
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

/** Real clock throughout: the documented statement reads the database's `now()`. */
const nowSeconds = () => Math.floor(Date.now() / 1000)
/** Far past any clock-skew margin: the record is expired by every clock involved. */
const LONG_EXPIRED_SECONDS = 3_600

const cleaners: ReadonlyArray<readonly [string, () => Promise<number>]> = [
  ['deleteExpiredRecords', () => deleteExpiredRecords(pool, { tableName })],
  [
    'the pg_cron statement in docs/sql.md',
    async () => (await pool.query(documentedCronDelete)).rowCount ?? 0,
  ],
]

/** A key whose record expired `agoSeconds` ago: the next claim reuses it. */
async function expiredRecord(key: string, agoSeconds = LONG_EXPIRED_SECONDS): Promise<void> {
  const expiresAtEpochSeconds = nowSeconds() - agoSeconds
  const claim = inProgress({ key, token: 'token-old', expiresAtEpochSeconds })
  const { acquired } = await store.acquire(
    { ...claim, leaseUntilEpochMs: (expiresAtEpochSeconds - 60) * 1000 },
    (expiresAtEpochSeconds - 120) * 1000,
  )
  expect(acquired).toBe(true)
}

/** A fresh claim of the key, as a claiming Lambda makes it now: a day of retention, a 30 s lease. */
const freshClaim = (key: string, token: string) =>
  inProgress({
    key,
    token,
    expiresAtEpochSeconds: nowSeconds() + 86_400,
    leaseUntilEpochMs: Date.now() + 30_000,
  })

/** The store's own acquire statement, run on one client so the caller can hold its transaction open. */
function storeOn(client: pg.PoolClient): PostgresStore {
  const pinned = {
    query: (text: string, values?: unknown[]) => client.query(text, values),
    connect: () => Promise.reject(new Error('this store runs on one client')),
  }
  return new PostgresStore({ pool: pinned, tableName })
}

/** Resolves once a DELETE on this file's table waits for a row lock. */
async function cleanupWaitsForALock(): Promise<void> {
  const schema = tableName.split('.')[0]
  await vi.waitFor(
    async () => {
      const { rows } = await pool.query(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE%' AND query LIKE $1",
        [`%${schema}%`],
      )
      expect(rows[0].waiting).toBeGreaterThan(0)
    },
    { timeout: 10_000, interval: 10 },
  )
}

const tokenOf = async (key: string) => (await store.get(key))?.token

describe.each(cleaners)('the retention cleanup (%s) beside claims of reused keys', (_, cleanup) => {
  it('keeps a record expired a minute ago, inside the clock-skew margin, and deletes one expired an hour ago', async () => {
    const [recent, old] = [freshKey(), freshKey()]
    await expiredRecord(recent, 60)
    await expiredRecord(old, LONG_EXPIRED_SECONDS)
    await cleanup()
    expect(await tokenOf(recent)).toBe('token-old')
    expect(await tokenOf(old)).toBeUndefined()
  })

  it('keeps a fresh claim of an expired key that was committed while the cleanup waited for its row', async () => {
    const key = freshKey()
    await expiredRecord(key)
    const claimer = await pool.connect()
    try {
      await claimer.query('BEGIN')
      expect(await storeOn(claimer).acquire(freshClaim(key, 'token-fresh'), Date.now())).toEqual({
        acquired: true,
      })
      const deleting = cleanup()
      await cleanupWaitsForALock()
      await claimer.query('COMMIT')
      expect(await deleting).toBe(0)
    } finally {
      // Destroyed, not pooled: a failed step may have left its transaction open.
      claimer.release(true)
    }
    expect(await tokenOf(key)).toBe('token-fresh')
  })

  it(`never deletes a live claim while ${KEYS_PER_ROUND} reused keys are claimed beside a cleanup loop, over ${ROUNDS} rounds`, async () => {
    const lost: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const keys = Array.from({ length: KEYS_PER_ROUND }, freshKey)
      await Promise.all(keys.map(expiredRecord))
      let claiming = true
      const loop = (async () => {
        while (claiming) await cleanup()
      })()
      await Promise.all(
        keys.map(async (key) => {
          // Spread over a few milliseconds, so claims land before, during and after each delete.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 8))
          const { acquired } = await store.acquire(freshClaim(key, `token-${round}`), Date.now())
          expect(acquired).toBe(true)
        }),
      )
      claiming = false
      await loop
      for (const key of keys) if ((await tokenOf(key)) !== `token-${round}`) lost.push(key)
    }
    expect(lost, 'live claims the cleanup deleted').toEqual([])
  })
})

describe('deleteExpiredRecords and clock skew', () => {
  /** Long before anything else in this table expires, so only this test's record is in play. */
  const expiresAtEpochSeconds = NOW_SECONDS - 86_400 * 365
  const atSecondsAfterExpiry = (seconds: number) => (expiresAtEpochSeconds + seconds) * 1000

  it('deletes a record only once it has been expired for longer than the margin, on the cleaner clock', async () => {
    const key = freshKey()
    const claim = inProgress({ key, expiresAtEpochSeconds, leaseUntilEpochMs: atSecondsAfterExpiry(-60) })
    expect((await store.acquire(claim, atSecondsAfterExpiry(-120))).acquired).toBe(true)
    const options = { tableName, clockSkewMarginSeconds: 60 }
    expect(await deleteExpiredRecords(pool, { ...options, nowEpochMs: atSecondsAfterExpiry(59) })).toBe(0)
    expect(await tokenOf(key)).toBe(claim.token)
    expect(await deleteExpiredRecords(pool, { ...options, nowEpochMs: atSecondsAfterExpiry(60) })).toBe(1)
    expect(await tokenOf(key)).toBeUndefined()
  })

  it('refuses a margin that is negative or not whole seconds, before any SQL is sent', async () => {
    for (const clockSkewMarginSeconds of [-1, 0.5, Number.NaN])
      await expect(
        deleteExpiredRecords(pool, { tableName, nowEpochMs: NOW_MS, clockSkewMarginSeconds }),
      ).rejects.toThrow(/clockSkewMarginSeconds/)
  })
})

describe('the pg_cron statement in docs/sql.md', () => {
  it('finds expired rows through the retention index, comparing bigint with bigint', async () => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      // Too few rows for the planner to prefer the index on its own: forbid the sequential scan instead.
      await client.query('SET LOCAL enable_seqscan = off')
      const { rows } = await client.query(`EXPLAIN ${documentedCronDelete}`)
      const plan = rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')
      expect(plan).not.toMatch(/::numeric/)
      expect(plan).toMatch(/Index (Only )?Scan|Index Cond/)
    } finally {
      await client.query('ROLLBACK')
      client.release()
    }
  })
})
