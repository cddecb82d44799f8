import { randomUUID } from 'node:crypto'
import type { DynamoDBStore } from '../dynamodb/store.js'
import { startDynamoDBLocal } from '../local/dynamodb-local.js'

/** The variable DynamoDBStore (and these helpers) read DynamoDB Local's endpoint from. */
const ENDPOINT_ENV = 'DYNAMODB_ENDPOINT'

export interface DynamoDBLocalTestOptions {
  /** A free port is picked when omitted. */
  readonly port?: number
  /** Where `amplify-dynamodb-simulator` is looked up, as `require` would from there. @default process.cwd() */
  readonly projectDir?: string
  /** @default 'java' */
  readonly javaPath?: string
  /** A JVM can take a while on a busy CI machine. @default 60_000 */
  readonly startTimeoutMs?: number
}

/** A DynamoDB Local for tests: started by this process, or the one `DYNAMODB_ENDPOINT` named. */
export interface DynamoDBLocalForTests {
  /** `http://127.0.0.1:<port>`, or what `DYNAMODB_ENDPOINT` said. */
  readonly endpoint: string
  /** True when `DYNAMODB_ENDPOINT` named a running one: `stop` then leaves it alone. */
  readonly reused: boolean
  /**
   * Lets go of it: the last holder of one this process started stops java and unsets `DYNAMODB_ENDPOINT`.
   * Calling it again does nothing.
   */
  stop(): Promise<void>
}

/** The one DynamoDB Local this process started, shared by every holder until the last one stops. */
let shared: { started: ReturnType<typeof startDynamoDBLocal>; holders: number } | undefined

/**
 * Starts DynamoDB Local on 127.0.0.1, or reuses the one `DYNAMODB_ENDPOINT` names. One it starts is shared by every
 * caller in this process, is named in `DYNAMODB_ENDPOINT` (so `new DynamoDBStore()` and test workers started
 * afterwards find it), and cannot outlive the process. Needs `amplify-dynamodb-simulator` (its jar) and Java 17+
 * in the project, unless `DYNAMODB_ENDPOINT` is set. Plain async functions: vitest, jest or node:test alike.
 *
 * @example
 * ```ts
 * // vitest.config.ts: test: { globalSetup: ['./test/dynamodb-local.ts'] }; test/dynamodb-local.ts:
 * import { ensureDynamoDBLocal } from 'lambda-idempotency/testing'
 *
 * export default async function setup() {
 *   const dynamodb = await ensureDynamoDBLocal()
 *   return () => dynamodb.stop()
 * }
 * ```
 * @example
 * ```ts
 * // jest.config.js: globalSetup: './jest.setup.mjs', globalTeardown: './jest.teardown.mjs'
 * // jest.setup.mjs
 * import { ensureDynamoDBLocal } from 'lambda-idempotency/testing'
 * export default async () => {
 *   globalThis.dynamodbLocal = await ensureDynamoDBLocal()
 * }
 * // jest.teardown.mjs
 * export default async () => globalThis.dynamodbLocal?.stop()
 * ```
 */
export async function ensureDynamoDBLocal(
  options: DynamoDBLocalTestOptions = {},
): Promise<DynamoDBLocalForTests> {
  const named = process.env[ENDPOINT_ENV]
  if (named && shared === undefined) return { endpoint: named, reused: true, stop: async () => undefined }
  if (shared === undefined) {
    const started = startDynamoDBLocal({ inMemory: true, ...options })
    shared = { started, holders: 0 }
    started.then(
      (db) => {
        process.env[ENDPOINT_ENV] = db.endpoint
      },
      () => {
        shared = undefined
      },
    )
  }
  const holding = shared
  holding.holders++
  let db: Awaited<typeof holding.started>
  try {
    db = await holding.started
  } catch (error) {
    holding.holders--
    throw error
  }
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      if (--holding.holders > 0) return
      if (shared === holding) shared = undefined
      if (process.env[ENDPOINT_ENV] === db.endpoint) delete process.env[ENDPOINT_ENV]
      await db.stop()
    })()
    return stopped
  }
  return { endpoint: db.endpoint, reused: false, stop }
}

export interface IdempotencyTestTableOptions {
  /**
   * Where to create it. @default `DYNAMODB_ENDPOINT`, else a DynamoDB Local started for it (ensureDynamoDBLocal),
   * which `delete` lets go of
   */
  readonly endpoint?: string
  /** The start of its name; the rest is random. @default 'idempotency-test' */
  readonly prefix?: string
}

/** A freshly created idempotency table on DynamoDB Local, named for one test file (or one test). */
export interface IdempotencyTestTable {
  readonly tableName: string
  readonly endpoint: string
  /**
   * The two variables `new DynamoDBStore()` reads. For a handler module that builds its store when it is
   * imported: `Object.assign(process.env, table.env)` before importing it.
   */
  readonly env: { readonly DYNAMODB_ENDPOINT: string; readonly IDEMPOTENCY_TABLE_NAME: string }
  /** A DynamoDBStore on this table, with a client for its endpoint (no AWS region or credentials needed). */
  store(): DynamoDBStore
  /** Deletes the table, and lets go of the DynamoDB Local started for it, if any. Calling it again does nothing. */
  delete(): Promise<void>
}

/**
 * Creates an idempotency table under a name no other test file uses, on `DYNAMODB_ENDPOINT`'s DynamoDB Local or
 * one it starts (see ensureDynamoDBLocal), so test files can run in parallel against one DynamoDB Local.
 *
 * @example
 * ```ts
 * import { createIdempotencyTable, type IdempotencyTestTable } from 'lambda-idempotency/testing'
 *
 * let table: IdempotencyTestTable
 * beforeAll(async () => {
 *   table = await createIdempotencyTable()
 * }, 60_000)
 * afterAll(() => table.delete())
 *
 * it('charges once', async () => {
 *   const charge = makeIdempotent(chargeCard, { store: table.store(), key: (event) => event.orderId })
 *   expect(await charge(order, context)).toEqual(await charge(order, context))
 * })
 * ```
 */
export async function createIdempotencyTable(
  options: IdempotencyTestTableOptions = {},
): Promise<IdempotencyTestTable> {
  // Loaded here, not at the top: the store contract (this entry point's other half) needs no AWS SDK.
  const [{ createLocalTable, deleteLocalTable, localClient }, { DynamoDBStore }] = await Promise.all([
    import('../local/table.js'),
    import('../dynamodb/store.js'),
  ])
  const dynamodb =
    options.endpoint === undefined
      ? await ensureDynamoDBLocal()
      : { endpoint: options.endpoint, stop: async () => undefined }
  const tableName = `${options.prefix ?? 'idempotency-test'}-${randomUUID()}`
  try {
    await createLocalTable(dynamodb.endpoint, tableName)
  } catch (error) {
    await dynamodb.stop()
    throw error
  }
  let deleted: Promise<void> | undefined
  return {
    tableName,
    endpoint: dynamodb.endpoint,
    env: { DYNAMODB_ENDPOINT: dynamodb.endpoint, IDEMPOTENCY_TABLE_NAME: tableName },
    store: () => new DynamoDBStore({ tableName, client: localClient(dynamodb.endpoint) }),
    delete: () => {
      deleted ??= deleteLocalTable(dynamodb.endpoint, tableName).finally(() => dynamodb.stop())
      return deleted
    },
  }
}
