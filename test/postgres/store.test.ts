import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { IdempotencyStoreUnavailableError } from '../../lib/index.js'
import {
  deleteExpiredRecords,
  idempotencySchemaSql,
  migrate,
  PostgresStore,
} from '../../lib/postgres/index.js'
import type { InProgressRecord } from '../../lib/store/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'
import { completed, inProgress, NOW_MS, NOW_SECONDS } from '../support/records.js'

const pool = testPool()
let tableName: string
let store: PostgresStore
let seq = 0
const freshKey = () => `fn#handler#pg-${++seq}`

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool)
  store = new PostgresStore({ pool, tableName })
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

/** Inserts a claim in an open transaction on a client of its own; the caller commits or rolls back. */
async function uncommittedClaim(record: InProgressRecord): Promise<pg.PoolClient> {
  const client = await pool.connect()
  await client.query('BEGIN')
  await client.query(
    `INSERT INTO ${tableName} (key, status, token, fingerprint, expires_at_epoch_seconds, lease_until_epoch_ms) VALUES ($1, 'IN_PROGRESS', $2, $3, $4, $5)`,
    [record.key, record.token, record.fingerprint, record.expiresAtEpochSeconds, record.leaseUntilEpochMs],
  )
  return client
}

/** Resolves once some statement like `pattern` waits for a row lock on this table's rows. */
async function someoneWaitsForALock(pattern = '%claimed AS%'): Promise<void> {
  await vi.waitFor(
    async () => {
      const { rows } = await pool.query(
        "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
        [pattern],
      )
      expect(rows[0].waiting).toBeGreaterThan(0)
    },
    { timeout: 10_000, interval: 10 },
  )
}

describe('PostgresStore.acquire against PostgreSQL', () => {
  it('returns the refusing record even when it was committed after the claim statement began', async () => {
    const key = freshKey()
    const first = inProgress({ key, token: 'token-first', leaseUntilEpochMs: NOW_MS + 60_000 })
    const holder = await uncommittedClaim(first)
    const claim = store.acquire(inProgress({ key, token: 'token-second' }), NOW_MS)
    await someoneWaitsForALock()
    await holder.query('COMMIT')
    holder.release()
    expect(await claim).toEqual({ acquired: false, existing: first })
  })

  it('claims a key whose uncommitted claim was rolled back while the claim waited', async () => {
    const key = freshKey()
    const holder = await uncommittedClaim(inProgress({ key, token: 'token-first' }))
    const claim = store.acquire(inProgress({ key, token: 'token-second' }), NOW_MS)
    await someoneWaitsForALock()
    await holder.query('ROLLBACK')
    holder.release()
    expect(await claim).toEqual({ acquired: true })
    expect((await store.get(key))?.token).toBe('token-second')
  })
})

describe('PostgresStore.release against PostgreSQL', () => {
  it('leaves a record its own token completed while the release waited for the row, and succeeds', async () => {
    const key = freshKey()
    const claim = inProgress({ key, token: 'token-own' })
    await store.acquire(claim, NOW_MS)
    // The same token's completion holds the row (a completion sent again, a durable step retried) as the release
    // begins: the release's own view of the table, taken before the completion commits, still shows the claim.
    const completing = await pool.connect()
    await completing.query('BEGIN')
    const onOneClient = {
      query: (text: string, values?: unknown[]) => completing.query(text, values),
      connect: () => Promise.reject(new Error('this store runs on one client')),
    }
    await new PostgresStore({ pool: onOneClient, tableName }).complete(completed({ key, token: 'token-own' }))
    const release = store.release(key, 'token-own')
    await someoneWaitsForALock('DELETE FROM%')
    await completing.query('COMMIT')
    completing.release()

    await expect(release).resolves.toBeUndefined()
    expect((await store.get(key))?.status).toBe('COMPLETED')
  })
})

describe('PostgresStore when PostgreSQL is unreachable', () => {
  it('fails closed: every call throws IdempotencyStoreUnavailableError', async () => {
    const dead = new pg.Pool({
      connectionString: 'postgres://nobody:none@127.0.0.1:1/none',
      connectionTimeoutMillis: 1_000,
    })
    const unreachable = new PostgresStore({ pool: dead })
    const record = inProgress({ key: freshKey() })
    await expect(unreachable.acquire(record, NOW_MS)).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    await expect(unreachable.complete(completed({ key: record.key }))).rejects.toBeInstanceOf(
      IdempotencyStoreUnavailableError,
    )
    await expect(unreachable.release(record.key, record.token)).rejects.toBeInstanceOf(
      IdempotencyStoreUnavailableError,
    )
    await expect(unreachable.get(record.key)).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    const transaction = unreachable.openOwnWrites({ key: record.key, token: record.token })
    await expect(transaction.query('SELECT 1')).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    await dead.end()
  })
})

describe('the PostgreSQL schema', () => {
  it('ships as SQL that is exactly what migrate() runs, for PostgreSQL and for Aurora DSQL', async () => {
    const shipped = async (path: string) =>
      (await readFile(new URL(`../../sql/postgres/${path}`, import.meta.url), 'utf8'))
        .split('\n')
        .filter((line) => !line.startsWith('--'))
        .join('\n')
        .trim()
    expect(await shipped('001_idempotency.sql')).toBe(idempotencySchemaSql().trim())
    expect(await shipped('dsql/001_idempotency.sql')).toBe(idempotencySchemaSql({ dialect: 'dsql' }).trim())
  })

  it('migrates again without error or change, so it can run on every deploy', async () => {
    await migrate(pool, { tableName })
    const key = freshKey()
    await store.acquire(inProgress({ key }), NOW_MS)
    await migrate(pool, { tableName })
    expect(await store.get(key)).toEqual(inProgress({ key }))
  })

  it('refuses a table name that is not a plain identifier, before any SQL is sent', () => {
    expect(() => new PostgresStore({ pool, tableName: 'records; DROP TABLE users' })).toThrow(/schema\.name/)
  })
})

describe('the retention cleanup', () => {
  it('deletes only records past their retention, in batches, and reports how many', async () => {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM ${tableName} WHERE expires_at_epoch_seconds <= $1`,
      [NOW_SECONDS],
    )
    const alreadyExpired = rows[0].n as number
    const expired = [freshKey(), freshKey(), freshKey()]
    const kept = freshKey()
    for (const key of expired)
      await store.acquire(inProgress({ key, expiresAtEpochSeconds: NOW_SECONDS - 10 }), NOW_MS - 20_000)
    await store.acquire(inProgress({ key: kept, expiresAtEpochSeconds: NOW_SECONDS + 1 }), NOW_MS)
    // No clock-skew margin: this test is about which records and how many per batch (the margin: postgres-cleanup).
    const options = { tableName, nowEpochMs: NOW_MS, limit: 2, clockSkewMarginSeconds: 0 }
    let deleted = 0
    for (
      let batch = await deleteExpiredRecords(pool, options);
      batch > 0;
      batch = await deleteExpiredRecords(pool, options)
    )
      deleted += batch
    expect(deleted).toBe(alreadyExpired + expired.length)
    for (const key of expired) expect(await store.get(key)).toBeUndefined()
    expect(await store.get(kept)).toBeDefined()
  })
})
