import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'
import { optionNames } from '../option-names.js'
import { COMMON_OPTION_NAMES, type CommonOptions } from '../options.js'

/** API Gateway REST (v1) and HTTP API (v2) proxy events; Lambda function URL events are v2-shaped. */
export type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2

/** A proxy result, as API Gateway and function URLs expect it. */
export interface HttpResult {
  statusCode: number
  headers?: Record<string, string | number | boolean>
  multiValueHeaders?: Record<string, (string | number | boolean)[]>
  body?: string
  isBase64Encoded?: boolean
}

/**
 * The common options (store, naming, retention, logging: `CommonOptions`), plus what HTTP needs. `ttlSeconds`
 * is also the age limit of UUIDv7 keys.
 */
export interface HttpIdempotencyOptions extends CommonOptions {
  /**
   * Who is calling: keys are scoped to it, so two callers can never see each other's results. Replaces the
   * default reading entirely; undefined or '' means "no caller" (then `anonymousPrincipal`, else 401). Return a
   * value that names one caller and stays the same across that caller's retries (not a token expiry). Its values
   * live in their own key space, apart from the default sources and from `anonymousPrincipal`.
   * @default the JWT issuer + `sub` (HTTP API JWT, REST Cognito user pool authorizers); a Lambda authorizer's
   * `principalId` (REST, or in an HTTP API authorizer's context); the Cognito identity pool + identity id, else
   * the IAM caller ARN (IAM auth); the client certificate's issuer + serial number (mutual TLS). An authenticated
   * request none of these can tell apart from other callers (an identity pool role session without its Cognito
   * identity, an HTTP API Lambda authorizer context without `principalId`) fails closed with 500
   * `principal-unresolved`. See docs/http.md, "Who is the caller".
   */
  readonly principal?: (event: HttpEvent) => string | undefined
  /**
   * Opt-in fallback for requests without a principal (public endpoints). Without it they get a 401.
   * Everything it returns shares one key space, so return something per client if you can. That space is apart
   * from every authenticated caller's: an anonymous value equal to a user's `sub` never reaches that user's keys.
   */
  readonly anonymousPrincipal?: (event: HttpEvent) => string
  /**
   * The part of the body that must match for a replay: the same key with a different payload is a 422. `body` is
   * the parsed JSON for a JSON content type, else a Buffer of the raw bytes (also for invalid JSON). Only a hash
   * of it is stored. @default the whole body
   */
  readonly payload?: (body: unknown, event: HttpEvent) => unknown
  /** @deprecated Use `payload`, which means the same; this name goes in the next major version. */
  readonly fingerprint?: (body: unknown, event: HttpEvent) => unknown
  /** Response headers replayed in addition to content-type and location (matched in any case). */
  readonly replayHeaders?: readonly string[]
  /** Methods that need an Idempotency-Key; other methods pass through untouched. @default ['POST', 'PATCH'] */
  readonly methods?: readonly string[]
  /** Cap for `Prefer: wait=N`. @default 10 */
  readonly maxWaitSeconds?: number
  /**
   * Where the problem `type` URIs point; the error code is appended as the fragment.
   * @default DEFAULT_PROBLEM_TYPE_BASE (this project's docs/problems.md)
   */
  readonly problemTypeBase?: string
}

/** Every option the HTTP preset takes (`makeHttpIdempotent`, `httpIdempotency`). */
export const HTTP_OPTION_NAMES = optionNames<HttpIdempotencyOptions>()([
  ...COMMON_OPTION_NAMES,
  'principal',
  'anonymousPrincipal',
  'payload',
  'fingerprint',
  'replayHeaders',
  'methods',
  'maxWaitSeconds',
  'problemTypeBase',
])
