import type { localApiClient } from './local-api/client.js'

/** Repeats the local stream makes on purpose, so the verdict shows deliveries above fulfilments. */
export const DEMO_DUPLICATED_EVENTS = 3
/** The event flow polls every 200 ms; 10 s covers the demo's payments on a slow machine with room to spare. */
const FULFILMENT_WAIT_MS = 10_000
/** How often the demo looks at the fulfilments while it waits. */
const FULFILMENT_POLL_MS = 100

/**
 * The event side's verdict: every paid payment fulfilled exactly once, however often its event was delivered,
 * and no declined payment fulfilled. Returns the problems it found.
 */
export async function fulfilmentVerdict(
  api: ReturnType<typeof localApiClient>,
  paid: ReadonlySet<string>,
  declined: ReadonlySet<string>,
  say: (line: string) => void,
): Promise<string[]> {
  const deadlineEpochMs = Date.now() + FULFILMENT_WAIT_MS
  let counts = await api.fulfilments()
  while ([...paid].some((id) => !counts.some((c) => c.paymentId === id)) && Date.now() < deadlineEpochMs) {
    await new Promise((resolve) => setTimeout(resolve, FULFILMENT_POLL_MS))
    counts = await api.fulfilments()
  }
  say('\nFulfilment, fed by each payment’s outbox event (stream → queue → fulfil-order):')
  say(`   ${'payment'.padEnd(27)} deliveries  fulfilments`)
  const problems: string[] = []
  for (const paymentId of paid) {
    const count = counts.find((c) => c.paymentId === paymentId)
    say(`   ${paymentId.padEnd(27)} ${String(count?.deliveries ?? 0).padEnd(11)} ${count?.fulfilments ?? 0}`)
    if (count?.fulfilments !== 1) problems.push(`${paymentId}: ${count?.fulfilments ?? 0} fulfilments`)
  }
  for (const paymentId of declined)
    if (counts.some((c) => c.paymentId === paymentId)) problems.push(`declined ${paymentId} was fulfilled`)
  return problems
}
