import { randomUUID } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import type { Answer, localApiClient } from './local-api/client.js'
import { MIN_NODE_MAJOR_FOR_PAYOUTS } from './local-api/payouts.js'

/** Polls a little faster than the 202's Retry-After: the local settlement takes seconds, not minutes. */
const POLL_INTERVAL_MS = 500
/** 30 s: the local settlement (3 s) plus a step retry after the simulated crash (2 s), with room to spare. */
const MAX_POLL_MS = 30_000

type Client = ReturnType<typeof localApiClient>

/**
 * The payout story: a supplier's payout accepted with 202, its lost answer retried, the payout function killed
 * after the bank accepted the transfer, and the execution resuming to pay out once. Returns what went wrong, and
 * whether the story could be told (payouts need Node.js 22+).
 */
export async function payoutStory(
  api: Client,
  say: (line: string) => void,
): Promise<{ problems: string[]; told: boolean }> {
  const problems: string[] = []
  const major = Number(process.versions.node.split('.')[0])
  const supplier = { accountId: `acct_${randomUUID().slice(0, 8)}`, amount: 2_500_000, currency: 'INR' }
  say('\n7. The shop pays its TV supplier ₹25,000: POST /payouts, finished durably in the background.')
  // The client's key: a UUIDv7, made once for this payout and sent again, unchanged, on every retry.
  const key = uuidv7()
  const accepted = await api.payout('shop', key, supplier)
  if (accepted.status === 501) {
    say(
      `   → 501 payouts-unavailable: payouts need Node.js ${MIN_NODE_MAJOR_FOR_PAYOUTS}+ (this is ${process.versions.node}).`,
    )
    if (major >= MIN_NODE_MAJOR_FOR_PAYOUTS) problems.push('Payouts answered 501 on a Node.js that runs them')
    return { problems, told: false }
  }
  const location = accepted.headers.get('location') ?? ''
  say(
    `   accept                   → ${accepted.status}, Location ${location.slice(0, 24)}…, Retry-After ${accepted.headers.get('retry-after')} s`,
  )
  const retried = await api.payout('shop', key, supplier)
  say(
    `   retry, same key          → ${retried.status}${retried.headers.get('idempotent-replayed') === 'true' ? ', replayed' : ''}, same Location: ${retried.headers.get('location') === location}`,
  )
  if (accepted.status !== 202 || retried.headers.get('location') !== location)
    problems.push(`The payout's retry got ${retried.status} at ${retried.headers.get('location')}`)
  const first = await poll(api, 'shop', location)
  say(
    `   GET the Location         → ${first?.status} ${first?.json?.status}: ${first?.json?.result?.payoutId ?? '-'}`,
  )

  say(
    '\n8. The next payout’s function is killed after the bank accepted the transfer, before its checkpoint.',
  )
  const crashed = { ...supplier, accountId: `acct_${randomUUID().slice(0, 8)}` }
  await api.crashNext({ afterBankCall: 1 })
  const second = await api.payout('shop', uuidv7(), crashed)
  const done = await poll(api, 'shop', second.headers.get('location') ?? '')
  say(
    `   GET the Location         → ${done?.status} ${done?.json?.status}: ${done?.json?.result?.payoutId ?? '-'}`,
  )
  const other = await api.send('GET', second.headers.get('location') ?? '', {
    headers: { Authorization: 'Bearer ravi' },
  })
  say(`   Ravi GETs the Location   → ${other.status}: an operation is its owner's alone`)
  if (other.status !== 404) problems.push(`Another caller read the operation: ${other.status}`)
  for (const answer of [first, done])
    if (answer?.json?.status !== 'succeeded')
      problems.push(`A payout ended ${answer?.json?.status ?? 'unseen'}`)

  const transfers = await api.transfers()
  const payouts = await api.payouts()
  say('\nThe bank’s ledger for the two payouts:')
  for (const [label, accountId] of [
    ['supplier (retried)', supplier.accountId],
    ['killed and resumed', crashed.accountId],
  ] as const) {
    const mine = transfers.filter((transfer) => transfer.accountId === accountId)
    const paid = payouts.filter((payout) => payout.accountId === accountId && payout.status === 'paid')
    say(
      `   ${label.padEnd(20)} transfers ${mine.length}, bank calls ${mine.map((t) => t.requests).join('+') || 0}, payouts paid ${paid.length}`,
    )
    if (mine.length !== 1 || paid.length !== 1)
      problems.push(`${label}: ${mine.length} transfers, ${paid.length} payouts`)
  }
  return { problems, told: true }
}

/** Follows the Location until the operation is no longer running. */
async function poll(api: Client, user: string, location: string): Promise<Answer | undefined> {
  const deadline = Date.now() + MAX_POLL_MS
  while (Date.now() < deadline) {
    const answer = await api.send('GET', location, { headers: { Authorization: `Bearer ${user}` } })
    if (answer.json?.status !== 'running') return answer
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
  return undefined
}
