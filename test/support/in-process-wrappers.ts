import middy from '@middy/core'
import type { Context, SQSRecord } from 'aws-lambda'
import { makeIdempotentBatchHandler, makeIdempotentFunction, sqsBatch } from '../../lib/events/index.js'
import {
  type HttpEvent,
  type HttpIdempotencyOptions,
  type HttpResult,
  httpIdempotency,
  makeHttpIdempotent,
} from '../../lib/http/index.js'
import {
  IdempotencyHandlerTimeoutError,
  IdempotencyInProgressError,
  idempotency,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { sqsRecord } from './events.js'
import {
  functionUrlWith,
  IDENTITY_POOL_ID,
  IDENTITY_POOL_ROLE_ARN,
  iamAuthorizer,
} from './http-auth-events.js'
import { headerOf, httpApiEvent, type RequestSpec } from './http-events.js'
import { type Answer, BodyFailure, type BodyResult, type Plan, type World } from './in-process-model.js'
import { lambdaContext } from './records.js'

export type WrapperName =
  | 'Middy core'
  | 'Middy HTTP'
  | 'makeIdempotent'
  | 'makeHttpIdempotent'
  | 'batch'
  | 'makeIdempotentFunction'

export const WRAPPERS: readonly WrapperName[] = [
  'Middy core',
  'Middy HTTP',
  'makeIdempotent',
  'makeHttpIdempotent',
  'batch',
  'makeIdempotentFunction',
]

/** Only Middy races the handler against a timer; elsewhere the runtime, not the wrapper, ends a late body. */
export const hasEarlyTimeout = (name: WrapperName) => name.startsWith('Middy')

type Invoke = (plan: Plan) => Promise<Answer>
interface Setup {
  readonly world: World
  readonly namespace: string
  readonly localCache: { maxEntries: number } | undefined
}

const silent = { warn: () => undefined }
const contextOf = (plan: Plan) => lambdaContext(plan.remainingMs) as unknown as Context

/** One wrapper instance for a whole round; every plan goes through it, concurrently. */
export function wrapperFor(name: WrapperName, setup: Setup): Invoke {
  const { world, namespace, localCache } = setup
  const withoutCache = { store: world.store, namespace, now: world.now, logger: silent }
  const common = { ...withoutCache, localCache }
  const run = (plan: Plan, context: object) => {
    const handle = idempotencyOf(context)
    if (handle === undefined) throw new Error('the body ran without its idempotency handle')
    return world.body(plan, handle.recordKey, handle.stableKey('gateway'))
  }
  type Event = { plan: Plan }
  const coreOptions = { ...common, key: (e: Event) => `${e.plan.caller}:${e.plan.key}`, payload: () => 1 }

  switch (name) {
    case 'Middy core': {
      // Middy's `internal` option: one object for every request, the trap scenario 6 of issue 12 names.
      const handler = middy((e: Event, c: Context) => run(e.plan, c), { internal: {} }).use(
        idempotency<Event, BodyResult>(coreOptions),
      )
      return (plan) => answerOf(world, plan, () => handler({ plan }, contextOf(plan)))
    }
    case 'makeIdempotent': {
      const handler = makeIdempotent((e: Event, c: object) => run(e.plan, c), coreOptions)
      return (plan) => answerOf(world, plan, () => handler({ plan }, contextOf(plan)))
    }
    case 'Middy HTTP': {
      const plans = new WeakMap<HttpEvent, Plan>()
      const http = middy<HttpEvent, HttpResult>(httpBody(run, plans), { internal: {} }).use(
        httpIdempotency(httpOptions(common)),
      )
      return (plan) => httpAnswer(plan, plans, (event) => http(event, contextOf(plan)))
    }
    case 'makeHttpIdempotent': {
      const plans = new WeakMap<HttpEvent, Plan>()
      const http = makeHttpIdempotent(httpBody(run, plans), httpOptions(common))
      return (plan) => httpAnswer(plan, plans, (event) => http(event, contextOf(plan)))
    }
    case 'batch': {
      const plans = new WeakMap<SQSRecord, Plan>()
      const outcomes = new WeakMap<SQSRecord, string>()
      const handler = makeIdempotentBatchHandler(
        sqsBatch,
        async (record: SQSRecord, context: object) => run(plans.get(record) as Plan, context),
        // Batches keep no local cache (a batch reads its keys in one BatchGetItem instead): not passed to them.
        {
          ...withoutCache,
          payload: () => 1,
          onRecord: (o) => outcomes.set(o.record, o.kind),
        },
      )
      return async (plan) => {
        // The same message redelivered: one messageId per caller and key.
        const record = sqsRecord(`${plan.caller}:${plan.key}`, { amount: 60_000 })
        plans.set(record, plan)
        const response = await handler({ Records: [record] }, contextOf(plan))
        const kind = outcomes.get(record)
        if (response.batchItemFailures.length === 0)
          return { plan, kind: kind === 'processed' ? 'fresh' : 'replay' }
        return { plan, kind: kind === 'failed' ? 'failed' : 'not-done', detail: kind }
      }
    }
    case 'makeIdempotentFunction': {
      const step = makeIdempotentFunction(
        (plan: Plan) => {
          // A step's function gets no handle; its own key, unique to this round's namespace, is its stable key.
          const stepKey = `${namespace}:${plan.caller}:${plan.key}`
          return world.body(plan, stepKey, stepKey)
        },
        { ...common, operation: 'charge', key: (plan) => `${plan.caller}:${plan.key}`, payload: () => 1 },
      )
      return (plan) => answerOf(world, plan, () => step.withContext(contextOf(plan))(plan))
    }
  }
}

async function answerOf(world: World, plan: Plan, call: () => Promise<BodyResult>): Promise<Answer> {
  try {
    const result = await call()
    const own = world.executionOf(plan)?.id === result.execution
    return { plan, kind: own ? 'fresh' : 'replay', result }
  } catch (error) {
    if (error instanceof IdempotencyInProgressError) return { plan, kind: 'conflict' }
    if (error instanceof IdempotencyHandlerTimeoutError) return { plan, kind: 'timeout' }
    if (error instanceof BodyFailure) return { plan, kind: 'failed' }
    return { plan, kind: 'unexpected', detail: `${(error as Error).name}: ${(error as Error).message}` }
  }
}

function httpOptions(common: Omit<HttpIdempotencyOptions, 'principal'>): HttpIdempotencyOptions {
  return { ...common, fingerprint: () => 1, anonymousPrincipal: () => SHARED_ID }
}

/** A value two sources report alike: a JWT `sub` and an anonymous client id must still be two callers. */
const SHARED_ID = 'shared-id'

/**
 * Each caller reaches the API through a different identity source, chosen to collide where a naive scope would:
 * a JWT user, two users of one Cognito identity pool (one shared role ARN, session CognitoIdentityCredentials),
 * and an anonymous client whose id equals the JWT user's `sub`.
 */
function eventAs(caller: string, spec: RequestSpec): HttpEvent {
  switch (caller) {
    case 'caller-0':
      return httpApiEvent({ ...spec, sub: SHARED_ID })
    case 'caller-1':
    case 'caller-2':
      return functionUrlWith(spec, {
        authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: `${IDENTITY_POOL_ID}-${caller}` }),
      })
    default:
      return functionUrlWith(spec, {})
  }
}

function httpBody(
  run: (plan: Plan, context: object) => Promise<BodyResult>,
  plans: WeakMap<HttpEvent, Plan>,
) {
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const plan = plans.get(event) as Plan
    const result = await run(plan, context)
    return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) }
  }
}

async function httpAnswer(
  plan: Plan,
  plans: WeakMap<HttpEvent, Plan>,
  call: (event: HttpEvent) => Promise<HttpResult>,
): Promise<Answer> {
  const event = eventAs(plan.caller, { headers: { 'Idempotency-Key': plan.key }, body: {} })
  plans.set(event, plan)
  try {
    const response = await call(event)
    if (response.statusCode === 201) {
      const result = JSON.parse(response.body ?? '') as BodyResult
      const replayed = headerOf(response, 'idempotent-replayed') === 'true'
      return { plan, kind: replayed ? 'replay' : 'fresh', result }
    }
    if (response.statusCode === 409) return { plan, kind: 'conflict' }
    if (response.statusCode === 503 && response.body?.includes('handler-timeout'))
      return { plan, kind: 'timeout' }
    return { plan, kind: 'unexpected', detail: `${response.statusCode} ${response.body}` }
  } catch (error) {
    if (error instanceof BodyFailure) return { plan, kind: 'failed' }
    return { plan, kind: 'unexpected', detail: `${(error as Error).name}: ${(error as Error).message}` }
  }
}
