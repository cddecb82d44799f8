/**
 * `lambda-idempotency/http`: the HTTP contract for API Gateway (REST and HTTP APIs) and function URLs: the
 * Idempotency-Key header, keys scoped per caller, 409/422, `Prefer: wait`, replays marked
 * `Idempotent-Replayed`, problem+json errors.
 *
 * @module
 */

export { makeHttpIdempotent } from './make-http-idempotent.js'
export { httpIdempotency } from './middleware.js'
export type { Principal } from './principal.js'
export { idempotencyProblem, type Problem, problemResponse } from './problem.js'
export { httpScopeOf } from './scope.js'
export type { HttpEvent, HttpIdempotencyOptions, HttpResult } from './types.js'
