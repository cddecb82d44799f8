import type { IdempotencyRecord } from '../record.js'
import { namespaceOfRecordKey, recordKeyOf } from '../record-key.js'
import type { Command, Flags } from './args.js'
import type { RecordBackend } from './backend.js'
import { CliError, EXIT } from './errors.js'
import type { CliIo } from './io.js'
import { type Target, targetOf } from './target.js'

/** What every command is given. */
export interface CommandContext {
  readonly command: Command
  readonly flags: Flags
  readonly io: CliIo
  readonly backend: RecordBackend
}

/** How many items the not-found hint reads to learn the table's namespaces: one cheap page. */
const NAMESPACE_SAMPLE_ITEMS = 1_000
/** How many other namespaces it tries the key under: one GetItem each. */
const MAX_NAMESPACES_TRIED = 20

/** The target's record, or a not-found error that says where it looked and where the key does have a record. */
export async function readTarget(
  context: CommandContext,
): Promise<{ target: Target; record: IdempotencyRecord }> {
  const target = targetOf(context.command, context.flags)
  const record = await context.backend.read(target.recordKey)
  if (record !== undefined) return { target, record }
  throw new CliError(
    `No record under ${target.recordKey} in ${context.backend.description}.`,
    EXIT.notFound,
    await notFoundHints(context.backend, target),
  )
}

async function notFoundHints(backend: RecordBackend, target: Target): Promise<string[]> {
  const hints = [
    `It was looked for under namespace "${target.namespace ?? '(none)'}", from ${target.namespaceFrom}.`,
    'A handler without a namespace option uses <functionName>#<operation> (operation "handler" unless set); makeIdempotentFunction uses step#<operation>.',
    requestHint(target),
  ]
  const seen = await namespacesSeen(backend).catch(() => undefined)
  if (seen !== undefined && seen.namespaces.size > 0) {
    const found =
      target.rawKey === undefined ? undefined : await namespaceHolding(backend, target, seen.namespaces)
    if (found !== undefined)
      hints.push(`The key has a record under namespace "${found}": pass --namespace '${found}'.`)
    else
      hints.push(
        `Namespaces in the first ${seen.records} records of the table: ${[...seen.namespaces].join(', ')}.`,
      )
  }
  hints.push('Otherwise the key never reached this table, or its record expired and was deleted.')
  return hints
}

/** The flags a request's record is named by, or what this HTTP preset key was scoped to (never the caller's values). */
function requestHint(target: Target): string {
  if (target.http !== undefined) {
    const { method, route, principalKind } = target.http
    return `It was scoped as an HTTP preset request: --method ${method} --route '${route}', from a ${principalKind} caller; each must be what the handler saw.`
  }
  return "A request's record is named by --namespace (or --function and --operation) and --key; an HTTP preset (httpIdempotency) handler also scopes it by --principal, --method and --route."
}

async function namespacesSeen(backend: RecordBackend) {
  const namespaces = new Set<string>()
  let records = 0
  await backend.scan({ maxItems: NAMESPACE_SAMPLE_ITEMS }, (items) => {
    for (const item of items) {
      if (item.kind !== 'record') continue
      records++
      const namespace = namespaceOfRecordKey(item.key)
      if (namespace !== undefined) namespaces.add(namespace)
    }
  })
  return { namespaces, records }
}

async function namespaceHolding(backend: RecordBackend, target: Target, namespaces: Set<string>) {
  const candidates = [...namespaces].filter((ns) => ns !== target.namespace).slice(0, MAX_NAMESPACES_TRIED)
  const rawKey = target.rawKey as string
  const records = await Promise.all(candidates.map((ns) => backend.read(recordKeyOf(ns, rawKey))))
  return candidates.find((_, index) => records[index] !== undefined)
}
