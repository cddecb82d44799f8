import { isIdempotencyError } from '../errors.js'
import { parseIdempotencyKey } from '../http/key.js'
import { PRINCIPAL_ARITY, type Principal } from '../http/principal.js'
import { httpScopeOf } from '../http/scope.js'
import { DEFAULT_OPERATION } from '../options.js'
import { defaultNamespace, namespaceOfRecordKey, recordKeyOf } from '../record-key.js'
import { type Command, type Flags, text } from './args.js'
import { UsageError } from './errors.js'

/** The record a command is about. The raw key stays in memory only, to try it under other namespaces. */
export interface Target {
  readonly recordKey: string
  readonly namespace: string | undefined
  /** How the namespace was chosen, for the not-found hint. */
  readonly namespaceFrom: string
  readonly rawKey: string | undefined
  /** For an HTTP preset key, what it was scoped to, for the not-found hint: the caller's kind, never its values. */
  readonly http?: { readonly method: string; readonly route: string; readonly principalKind: string }
}

/** Builds the record key exactly as the engine (and, for HTTP, the preset) does: the same functions. */
export function targetOf(command: Command, flags: Flags): Target {
  const recordKey = text(flags, 'record-key')
  const key = text(flags, 'key')
  if (recordKey !== undefined) {
    if (key !== undefined) throw new UsageError('Give --record-key or --key, not both.')
    const namespace = namespaceOfRecordKey(recordKey)
    return { recordKey, namespace, namespaceFrom: 'the record key', rawKey: undefined }
  }
  if (key === undefined) throw new UsageError(`${command} needs --key or --record-key to name the record.`)
  const { namespace, namespaceFrom } = namespaceOf(command, flags)
  if (!isHttp(flags)) return { recordKey: recordKeyOf(namespace, key), namespace, namespaceFrom, rawKey: key }
  const { rawKey, http } = httpScope(flags, key)
  return { recordKey: recordKeyOf(namespace, rawKey), namespace, namespaceFrom, rawKey, http }
}

function namespaceOf(command: Command, flags: Flags) {
  const [namespace, functionName, operation] = ['namespace', 'function', 'operation'].map((n) =>
    text(flags, n),
  )
  if (namespace !== undefined) {
    if (functionName !== undefined || operation !== undefined)
      throw new UsageError('Give --namespace, or --function (and --operation), not both.')
    return { namespace, namespaceFrom: '--namespace' }
  }
  if (functionName === undefined)
    throw new UsageError(
      `${command} --key needs --namespace or --function (a handler without a namespace option uses <functionName>#<operation>).`,
    )
  const from =
    operation === undefined ? `--function (operation "${DEFAULT_OPERATION}")` : '--function and --operation'
  return { namespace: defaultNamespace(functionName, operation ?? DEFAULT_OPERATION), namespaceFrom: from }
}

const HTTP_PARTS = ['principal', 'method', 'route'] as const
const isHttp = (flags: Flags) => HTTP_PARTS.some((name) => text(flags, name) !== undefined)

function httpScope(flags: Flags, headerValue: string) {
  const missing = HTTP_PARTS.filter((name) => text(flags, name) === undefined)
  if (missing.length > 0)
    throw new UsageError(
      `An HTTP preset key needs --principal, --method and --route; missing ${missing.map((n) => `--${n}`).join(', ')}.`,
    )
  let key: string
  try {
    key = parseIdempotencyKey([headerValue])
  } catch (error) {
    if (!isIdempotencyError(error, 'key-invalid')) throw error
    throw new UsageError(`--key is not an Idempotency-Key the preset accepts: ${error.message}`)
  }
  const [input, method, route] = HTTP_PARTS.map((name) => text(flags, name) as string) as [
    string,
    string,
    string,
  ]
  const principal = principalFrom(input)
  return {
    rawKey: httpScopeOf(principal, method, route, key),
    http: { method: method.toUpperCase(), route, principalKind: principal[0] },
  }
}

/** The names of each source's values, for the JSON form in messages. */
const VALUE_NAMES: Record<string, string> = {
  jwt: '"<issuer>","<subject>"',
  'cognito-identity': '"<identityPoolId>","<identityId>"',
  mtls: '"<issuerDN>","<serialNumber>"',
}

/** `kind:value` for one-value sources, or the principal as a JSON array; never echoes the values back. */
export function principalFrom(input: string): Principal {
  let parts: unknown
  if (input.startsWith('[')) {
    try {
      parts = JSON.parse(input)
    } catch {
      throw new UsageError(`--principal is not valid JSON; write it as '["iam","<caller ARN>"]'.`)
    }
  } else {
    const colon = input.indexOf(':')
    parts = colon < 0 ? [input] : [input.slice(0, colon), input.slice(colon + 1)]
  }
  if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string' && part !== ''))
    throw new UsageError('--principal needs kind:value or a JSON array of non-empty strings.')
  const [kind, ...values] = parts as string[]
  const arity = Object.hasOwn(PRINCIPAL_ARITY, kind as string)
    ? PRINCIPAL_ARITY[kind as keyof typeof PRINCIPAL_ARITY]
    : undefined
  if (arity === undefined)
    throw new UsageError(`--principal kind must be one of ${Object.keys(PRINCIPAL_ARITY).join(', ')}.`)
  if (values.length !== arity) {
    const form = VALUE_NAMES[kind as string] ?? '"<value>"'
    throw new UsageError(`A ${kind} principal has ${arity} value(s): pass --principal '["${kind}",${form}]'.`)
  }
  return parts as unknown as Principal
}
