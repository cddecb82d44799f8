import { flag } from './args.js'
import { CliError } from './errors.js'
import { type CommandContext, readTarget } from './lookup.js'
import { describeRecord, duration, type RecordView, viewOf } from './view.js'

/**
 * Deletes one record so the key runs again. The delete is fenced on what the operator saw: the record exactly as
 * read just before, times included (and an ended lease, unless --force), so a record that completed or was
 * claimed anew while the operator read the prompt is left alone, even under the same token (a durable
 * execution's token is the same on each of its claims).
 */
export async function invalidate(context: CommandContext): Promise<void> {
  const { io, backend, flags } = context
  const { record } = await readTarget(context)
  const view = viewOf(record, io.now())
  const force = flag(flags, 'force')
  if (view.lease?.live && !force)
    throw new CliError(
      `${record.key} is IN_PROGRESS and its lease is live for ${duration(view.lease.remainingMs)} more: the handler may be running now, and deleting would let a retry run beside it. Wait for the lease to end, or pass --force.`,
    )

  if (!flag(flags, 'yes')) {
    for (const line of describeRecord(view, backend.description, io.now())) io.err(line)
    io.err(`\n${consequence(view)}`)
    const answer = await io.ask('Delete this record? [y/N] ')
    if (answer === undefined)
      throw new CliError('No answer on stdin, so nothing was deleted. Pass --yes to delete without asking.')
    if (!/^\s*y(es)?\s*$/i.test(answer)) throw new CliError('Nothing was deleted.')
  }

  const outcome = await backend.deleteFenced(record, force ? {} : { leaseEndedBy: io.now() })
  if (outcome === 'changed')
    throw new CliError(
      `${record.key} changed since it was read (an attempt completed or claimed it), so nothing was deleted. Inspect it again.`,
    )
  if (flag(flags, 'json')) {
    io.out(
      JSON.stringify({
        recordKey: record.key,
        deleted: true,
        previousState: view.state,
        alreadyGone: outcome === 'gone',
      }),
    )
    return
  }
  const gone = outcome === 'gone' ? ' (it was already gone)' : ''
  io.out(`Deleted ${record.key}${gone}. The next request with this key runs the handler again.`)
}

/** What deleting does, said before the operator decides. */
function consequence(view: RecordView): string {
  const runsAgain = 'the next request with this key runs the handler again'
  if (view.state === 'expired')
    return `This record is past its retention, so ${runsAgain} anyway; deleting only removes it before the cleanup (DynamoDB TTL, or deleteExpiredRecords on PostgreSQL) does.`
  if (view.state === 'COMPLETED')
    return `The handler completed and its result is replayed to retries until ${view.expiresAt}. Deleting the record forgets that: ${runsAgain}, a second effect (a second charge) unless the first was undone.`
  if (view.lease?.live)
    return `The handler may be running right now. Deleting the record (--force) means ${runsAgain} beside it, and the running attempt's result will not be stored.`
  return `The attempt that claimed this key died before completing. Deleting the record means ${runsAgain}, whatever its payload.`
}
