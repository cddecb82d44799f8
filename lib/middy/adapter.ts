import type { Invocation } from '../invocation.js'
import type { LambdaContextLike } from '../options.js'
import { beforeEarlyReturn } from './early-return.js'
import { isTimeout } from './timeout.js'

/**
 * The Lambda context as Middy types it (aws-lambda's `Context`), written out so that neither `@middy/core` nor
 * `@types/aws-lambda` is needed to name it. Middy 7 infers a middleware's context type from its request and
 * bounds it by aws-lambda's `Context`: a context type narrower than this one would make its `.use()` answer
 * `never`. The toolkit itself reads only `LambdaContextLike`'s members.
 */
export interface MiddyContext extends LambdaContextLike {
  callbackWaitsForEmptyEventLoop: boolean
  functionName: string
  functionVersion: string
  invokedFunctionArn: string
  memoryLimitInMB: string
  awsRequestId: string
  logGroupName: string
  logStreamName: string
  identity?: { cognitoIdentityId: string; cognitoIdentityPoolId: string } | undefined
  clientContext?:
    | {
        client: {
          installationId: string
          appTitle: string
          appVersionName: string
          appVersionCode: string
          appPackageName: string
        }
        custom?: unknown
        env: { platformVersion: string; platform: string; make: string; model: string; locale: string }
      }
    | undefined
  tenantId?: string | undefined
  getRemainingTimeInMillis(): number
  done(error?: Error, result?: unknown): void
  fail(error: Error | string): void
  succeed(messageOrObject: unknown): void
}

/**
 * What Middy 5 to 7 hands a middleware, reduced to what the toolkit reads and writes. Written out here rather than
 * imported from `@middy/core`, so a handler without Middy type-checks without it; Middy's own `Request` fits it.
 */
export interface MiddyRequest<TEvent, TResult> {
  event: TEvent
  context: MiddyContext
  response: TResult | null
  error: unknown
  internal: object
}

/** A Middy middleware object, as `.use()` takes it. */
export interface MiddyMiddleware<TEvent, TResult> {
  before(request: MiddyRequest<TEvent, TResult>): Promise<TResult | undefined>
  after(request: MiddyRequest<TEvent, TResult>): Promise<void>
  onError(request: MiddyRequest<TEvent, TResult>): Promise<void>
}

/** What a protocol's `before` decided: answer at once, hold a claim for the handler, or let it run unprotected. */
export type MiddyStart<TResult> =
  | { readonly kind: 'answer'; readonly response: TResult }
  | { readonly kind: 'execute'; readonly invocation: Invocation }
  | { readonly kind: 'passthrough' }

/** The steps that differ between the core, HTTP and 202 middlewares; the adapter does the rest. */
export interface MiddyProtocol<TEvent, TResult> {
  start(event: TEvent, context: LambdaContextLike): Promise<MiddyStart<TResult>>
  /** The handler answered: store it (or release), and return the response to send. */
  finish(invocation: Invocation, response: TResult): Promise<TResult>
  /** Middy's timer fired while the body may still run: what the caller gets, an answer or an error. */
  abandon(invocation: Invocation, cause: unknown): { readonly response: TResult } | { readonly error: Error }
  /** The handler threw: give the key back (never hiding the handler's error). */
  giveBack(invocation: Invocation): Promise<void>
  /** The error as an answer (HTTP: problem+json for the toolkit's own), or undefined to let it propagate. */
  answerFor?(error: unknown): TResult | undefined
}

/**
 * One Middy adapter for every middleware: claims in `before` (answers short-circuit there, without the handler),
 * finishes in `after`, and in `onError` gives back only a claim this request still holds: never after a refusal
 * it raised itself, so a rejected duplicate cannot free its running twin's key. When Middy's early timeout fires,
 * the handler may still be running: the claim is kept to its lease and the caller gets the protocol's answer.
 */
export function middyAdapter<TEvent, TResult>(
  protocol: MiddyProtocol<TEvent, TResult>,
): MiddyMiddleware<TEvent, TResult> {
  /**
   * Per request, never in `request.internal`: Middy's `internal` option makes that one object for every request,
   * and with many invocations in one process a duplicate would release or complete its twin's claim.
   */
  const held = new WeakMap<object, Invocation>()

  const take = (request: object): Invocation | undefined => {
    const invocation = held.get(request)
    held.delete(request)
    return invocation?.state === 'held' ? invocation : undefined
  }

  return {
    async before(request) {
      const started = await protocol.start(request.event, request.context)
      if (started.kind === 'execute') held.set(request, started.invocation)
      if (started.kind !== 'answer') return undefined
      await beforeEarlyReturn(request)
      // The Lambda runtime sends undefined as null, and a null return is the only short-circuit Middy 5 honours.
      return started.response ?? (null as TResult)
    },
    async after(request) {
      const invocation = take(request)
      if (invocation !== undefined)
        request.response = await protocol.finish(invocation, request.response as TResult)
    },
    async onError(request) {
      const invocation = take(request)
      if (invocation !== undefined && isTimeout(request.error)) {
        const abandoned = protocol.abandon(invocation, request.error)
        if ('response' in abandoned) request.response = abandoned.response
        else request.error = abandoned.error
        return
      }
      if (invocation !== undefined) await protocol.giveBack(invocation)
      const answer = protocol.answerFor?.(request.error)
      if (answer !== undefined) request.response = answer
    },
  }
}
