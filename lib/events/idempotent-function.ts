import { canonicalJson } from '../fingerprint.js'
import { makeIdempotent } from '../make-idempotent.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import { IDEMPOTENCY_OPTION_NAMES, type IdempotencyOptions, type LambdaContextLike } from '../options.js'

export interface IdempotentFunctionOptions<TArgs extends unknown[], TResult>
  extends Omit<IdempotencyOptions<TArgs, TResult>, 'key' | 'payload' | 'operation' | 'namespace'> {
  /** Names the step; with `namespace` it scopes the keys, so two steps given equal arguments never collide. */
  readonly operation: string
  /**
   * Prefix of the step's keys. @default `step#${operation}`: not the function's name, so the same step called
   * from two Lambdas (an API and a retry worker charging one payment) shares its keys and runs once.
   */
  readonly namespace?: string
  /** The step's key. @default the canonical JSON of all its arguments (key order inside objects ignored) */
  readonly key?: (...args: TArgs) => string | undefined
  /** What the fingerprint covers; same key, different payload is a mismatch. @default all the arguments */
  readonly payload?: (...args: TArgs) => unknown
}

const FUNCTION_OPTION_NAMES = optionNames<IdempotentFunctionOptions<unknown[], unknown>>()([
  ...IDEMPOTENCY_OPTION_NAMES.filter(
    (name): name is Exclude<typeof name, 'key' | 'payload' | 'operation' | 'namespace'> =>
      !['key', 'payload', 'operation', 'namespace'].includes(name),
  ),
  'operation',
  'namespace',
  'key',
  'payload',
])

export interface IdempotentFunction<TArgs extends unknown[], TResult> {
  /** Runs the step, or returns the result stored by the first run with this key. Leases for `leaseMs`. */
  (...args: TArgs): Promise<TResult>
  /** The same step, leased for this Lambda invocation's remaining time (plus a margin) instead of `leaseMs`. */
  withContext(context: LambdaContextLike): (...args: TArgs) => Promise<TResult>
}

/**
 * Idempotency for any async function inside a handler (a step), such as an outbound call: the first call with a
 * key runs it and stores its result; later calls with that key get the stored result (as JSON would carry it:
 * Dates come back as strings), and a concurrent call gets `IdempotencyInProgressError` (or waits, with
 * `maxWaitMs`). A call that throws stores nothing, so the next call runs again.
 *
 * For an outbound API with idempotency keys of its own, pass it a key that is the same on every retry, e.g.
 * `idempotencyOf(context).stableKey('gateway')`, so even a crash between its call and this store's write
 * cannot repeat the effect.
 *
 * @example
 * ```ts
 * const charge = makeIdempotentFunction(
 *   (paymentId: string, amount: number) => gateway.charge(paymentId, amount),
 *   { store: new DynamoDBStore(), operation: 'charge', key: (paymentId) => paymentId },
 * )
 * ```
 */
export function makeIdempotentFunction<TArgs extends unknown[], TResult>(
  fn: (...args: TArgs) => Promise<TResult>,
  options: IdempotentFunctionOptions<TArgs, TResult>,
): IdempotentFunction<TArgs, TResult> {
  refuseUnknownOptions(options, FUNCTION_OPTION_NAMES, 'makeIdempotentFunction')
  const { key, payload, ...rest } = options
  const run = makeIdempotent((args: TArgs) => fn(...args), {
    ...rest,
    namespace: options.namespace ?? `step#${options.operation}`,
    key: (args) => (key ? key(...args) : canonicalJson(args)),
    payload: (args) => (payload ? payload(...args) : args),
  })
  // A context of its own for every call: the enclosing handler's `idempotencyOf(context)` stays its own.
  const call = (context: LambdaContextLike | undefined, args: TArgs) =>
    run(args, Object.create(context ?? null) as LambdaContextLike)
  const idempotent = (...args: TArgs) => call(undefined, args)
  idempotent.withContext =
    (context: LambdaContextLike) =>
    (...args: TArgs) =>
      call(context, args)
  return idempotent
}
