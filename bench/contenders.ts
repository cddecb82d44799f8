import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import { DynamoDBStore, idempotency } from '../lib/index.js'
import { type BenchContext, FUNCTION_NAME, type OrderEvent } from './workload.js'

export type Side = 'ours' | 'theirs'
export const SIDES: readonly Side[] = ['ours', 'theirs']

export type BenchHandler<TResult = unknown> = (event: OrderEvent, context: BenchContext) => Promise<TResult>

export interface WrapOptions {
  readonly client: DynamoDBClient
  readonly tableName: string
  /** Keep completed records in the warm container (ours: `localCache`, theirs: `useLocalCache`). */
  readonly localCache?: boolean
}

/** Same bound for both: Powertools' default `maxLocalCacheSize`. */
const LOCAL_CACHE_ENTRIES = 1000

type Middy = ReturnType<typeof middy>

/** Middy's types want the aws-lambda Context; the benchmark's contexts carry what both libraries read. */
const asBenchHandler = <TResult>(handler: Middy) => handler as unknown as BenchHandler<TResult>
const toMiddy = (handler: BenchHandler<unknown>) => middy(handler as never)

/** The same handler in Middy without any middleware: the baseline both overheads are measured against. */
export function bare<TResult>(handler: BenchHandler<TResult>): BenchHandler<TResult> {
  return asBenchHandler(toMiddy(handler))
}

/**
 * Both libraries configured for the same guarantee: the key is `idempotencyKey`, and the whole event is
 * fingerprinted, so the same key with a different payload is refused rather than run or replayed.
 */
const SAME_GUARANTEE = { eventKeyJmesPath: 'idempotencyKey', payloadValidationJmesPath: '@' }

export function wrap<TResult>(side: Side, handler: BenchHandler<TResult>, options: WrapOptions) {
  return side === 'ours' ? wrapOurs(handler, options) : wrapTheirs(handler, options, SAME_GUARANTEE)
}

/**
 * Powertools as its quick start configures it: the whole event hashed into the key, nothing validated, so a
 * client that reuses its key with a changed body gets a second execution. Less work per request; timed beside
 * the main comparison so the choice of configuration hides nothing.
 */
export function wrapTheirsDefault<TResult>(handler: BenchHandler<TResult>, options: WrapOptions) {
  return wrapTheirs(handler, options, {})
}

function wrapOurs<TResult>(handler: BenchHandler<TResult>, options: WrapOptions): BenchHandler<TResult> {
  const store = new DynamoDBStore({ tableName: options.tableName, client: options.client })
  const middleware = idempotency<OrderEvent, unknown>({
    store,
    key: (event) => event.idempotencyKey,
    localCache: options.localCache ? { maxEntries: LOCAL_CACHE_ENTRIES } : undefined,
  })
  return asBenchHandler(toMiddy(handler).use(middleware as never))
}

function wrapTheirs<TResult>(
  handler: BenchHandler<TResult>,
  options: WrapOptions,
  keying: { eventKeyJmesPath?: string; payloadValidationJmesPath?: string },
): BenchHandler<TResult> {
  // One persistence layer per handler: Powertools configures a layer once and ignores later configs.
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client,
  })
  const config = new IdempotencyConfig({
    ...keying,
    useLocalCache: options.localCache ?? false,
    maxLocalCacheSize: LOCAL_CACHE_ENTRIES,
  })
  // In Lambda the prefix defaults to AWS_LAMBDA_FUNCTION_NAME; ours defaults to the context's function name.
  const middleware = makeHandlerIdempotent({ persistenceStore, config, keyPrefix: FUNCTION_NAME })
  return asBenchHandler(toMiddy(handler).use(middleware as never))
}
