import { isIdempotencyError } from '../errors.js'
import { decodeResult } from '../result-codec.js'
import { flag } from './args.js'
import { type CommandContext, readTarget } from './lookup.js'
import { describeRecord, viewOf } from './view.js'

/** Prints what one key did. Reads one item; writes nothing; prints the hashed record key, never the raw one. */
export async function inspect(context: CommandContext): Promise<void> {
  const { io, backend, flags } = context
  const { record } = await readTarget(context)
  const nowEpochMs = io.now()
  const view = viewOf(record, nowEpochMs)
  const shown =
    flag(flags, 'show-result') && record.status === 'COMPLETED' ? decoded(record.result) : undefined

  if (flag(flags, 'json')) {
    io.out(JSON.stringify(shown && 'value' in shown ? { ...view, value: shown.value } : view, null, 2))
    return
  }
  for (const line of describeRecord(view, backend.description, nowEpochMs)) io.out(line)
  if (shown === undefined) return
  if ('value' in shown)
    io.out(`\n${shown.value === undefined ? 'undefined' : JSON.stringify(shown.value, null, 2)}`)
  else io.out(`\nThe result was not stored: ${shown.reason}`)
}

function decoded(result: Parameters<typeof decodeResult>[0]): { value: unknown } | { reason: string } {
  try {
    return { value: decodeResult(result) }
  } catch (error) {
    if (isIdempotencyError(error, 'result-not-stored')) return { reason: error.message }
    throw error
  }
}
