import { v7 as uuidv7 } from 'uuid'
import { dailyTotalsStory } from './demo-daily-totals.js'
import { DEMO_DUPLICATED_EVENTS, fulfilmentVerdict } from './demo-fulfilment.js'
import { payoutStory } from './demo-payouts.js'
import { type Answer, festivalSale, localApiClient } from './local-api/client.js'
import { type LocalApi, startLocalApi } from './local-api.js'

/** The festival-sale story against the local API: every retry pattern a shop sees, and one charge per key. */

const port = Number(process.env.PORT ?? 3000)
const url = process.env.API_URL ?? `http://127.0.0.1:${port}`
const api = localApiClient(url)
const rupees = (paise: number) =>
  new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', maximumFractionDigits: 0 }).format(
    paise / 100,
  )

/** Every idempotency key the story uses, with each charge and payment its answers named. */
interface KeyUse {
  shopper: string
  key: string
  chargeIds: Set<string>
  paymentIds: Set<string>
  /** Payments answered 201: each must be fulfilled once. */
  paidIds: Set<string>
}
const uses: KeyUse[] = []
const problems: string[] = []

/** A shopper's key as their app makes it: a UUIDv7, made once per payment and sent again on every retry. */
function use(shopper: string, key: string = uuidv7()): KeyUse {
  const found = uses.find((u) => u.shopper === shopper && u.key === key)
  if (found) return found
  const created = {
    shopper,
    key,
    chargeIds: new Set<string>(),
    paymentIds: new Set<string>(),
    paidIds: new Set<string>(),
  }
  uses.push(created)
  return created
}

/** One POST as the shopper's app sends it; prints what came back and remembers which charge it names. */
async function pay(
  who: KeyUse,
  label: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
) {
  const startedEpochMs = Date.now()
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)
  const answer = await api
    .pay({ user: who.shopper, key: who.key, body: options.body, headers: options.headers, signal })
    .catch((error: Error) => (error.name === 'TimeoutError' ? undefined : Promise.reject(error)))
  const tookMs = Date.now() - startedEpochMs
  if (answer === undefined) {
    say(`   ${label.padEnd(24)} → no answer: the app gave up after ${options.timeoutMs} ms`)
    return undefined
  }
  if (answer.json?.chargeId) who.chargeIds.add(answer.json.chargeId)
  if (answer.json?.paymentId) who.paymentIds.add(answer.json.paymentId)
  if (answer.status === 201) who.paidIds.add(answer.json.paymentId)
  say(`   ${label.padEnd(24)} → ${describe(answer)} (${tookMs} ms)`)
  return answer
}

function describe(answer: Answer): string {
  const replayed = answer.headers.get('idempotent-replayed') === 'true' ? ', replayed' : ''
  const code = String(answer.json?.type ?? '').split('#')[1]
  if (code) {
    const retryAfter = answer.headers.get('retry-after')
    return `${answer.status} ${code}${retryAfter ? `, Retry-After ${retryAfter} s` : ''}${replayed}`
  }
  return `${answer.status} ${answer.json?.paymentId ?? answer.text}${replayed}`
}

function expectStatus(answer: Answer | undefined, status: number, what: string): void {
  if (answer?.status !== status)
    problems.push(`${what}: expected ${status}, got ${answer?.status ?? 'no answer'}`)
}

const say = (line: string) => console.log(line)
const wait = { Prefer: 'wait=5' }

async function lostResponse(latencyMs: number): Promise<void> {
  const asha = use('asha')
  // Half the gateway's latency: the app gives up while the charge is under way, the moment a response gets lost.
  const timeoutMs = Math.max(5, Math.floor(latencyMs / 2))
  say(
    `\n1. Asha buys a ${rupees(festivalSale.amount)} TV. Her train enters a tunnel: the app never sees the answer.`,
  )
  await pay(asha, 'pay', { timeoutMs })
  let answer = await pay(asha, 'retry')
  if (answer?.status === 409) answer = await pay(asha, 'retry, Prefer: wait=5', { headers: wait })
  expectStatus(answer, 201, 'Asha after her retries')
  const replayed = answer?.headers.get('idempotent-replayed') === 'true'
  say(
    replayed
      ? '   The retry got the payment the lost request made: same payment, one charge.'
      : '   The lost request never reached the server; the retry made the payment.',
  )
}

async function doubleClick(): Promise<void> {
  const ravi = use('ravi')
  say('\n2. Ravi double-clicks "Pay": two requests with one key, at the same moment.')
  const taps = await Promise.all([
    pay(ravi, 'tap 1', { headers: wait }),
    pay(ravi, 'tap 2', { headers: wait }),
  ])
  for (const tap of taps) expectStatus(tap, 201, 'Ravi’s taps')
}

async function burst(count: number): Promise<void> {
  const meera = use('meera')
  say(`\n3. Meera's flaky app fires ${count} copies of her payment at once.`)
  const answers = await Promise.all(
    Array.from({ length: count }, () => api.pay({ user: meera.shopper, key: meera.key })),
  )
  const created = answers.filter((a) => a.status === 201)
  for (const a of created) meera.chargeIds.add(a.json.chargeId)
  const fresh = created.filter((a) => a.headers.get('idempotent-replayed') !== 'true').length
  const conflicts = answers.filter((a) => a.status === 409).length
  say(
    `   ${count} at once               → ${fresh} charged, ${created.length - fresh} replayed, ${conflicts} × 409 in-progress`,
  )
  if (fresh !== 1 || created.length + conflicts !== count)
    problems.push(`Meera's burst: ${fresh} fresh of ${count}`)
  expectStatus(await pay(meera, 'her next retry'), 201, 'Meera after the burst')
}

async function sameKeyOtherShopper(): Promise<void> {
  const asha = uses.find((u) => u.shopper === 'asha') as KeyUse
  const kabir = use('kabir', asha.key)
  say("\n4. Kabir's app has a bug: it sends Asha's idempotency key. Keys belong to their user.")
  const answer = await pay(kabir, 'pay with Asha’s key')
  expectStatus(answer, 201, 'Kabir')
  if (asha.paymentIds.has(answer?.json?.paymentId)) problems.push('Kabir got Asha’s payment')
}

async function gatewayHiccup(): Promise<void> {
  const diya = use('diya')
  say('\n5. The gateway hiccups during Diya’s payment (one injected failure).')
  await api.failNext(1)
  expectStatus(await pay(diya, 'pay'), 502, 'Diya’s first try')
  expectStatus(await pay(diya, 'retry, same key'), 201, 'Diya’s retry')
}

async function declined(): Promise<void> {
  const farah = use('farah')
  const body = { amount: 402, currency: 'INR', description: 'Festival sale: earphones' }
  say(
    '\n6. Farah’s card is declined (402 paise is the gateway’s decline amount). A decline is an answer too.',
  )
  expectStatus(await pay(farah, 'pay', { body }), 402, 'Farah')
  expectStatus(await pay(farah, 'retry', { body }), 402, 'Farah’s retry')
}

/** The ledger's verdict: each key's answers name one charge, the ledger holds exactly that one, and no other. */
async function ledgerVerdict(chargeIdsBefore: Set<string>): Promise<void> {
  const newCharges = (await api.charges()).filter((c) => !chargeIdsBefore.has(c.chargeId))
  say('\nThe gateway’s ledger for this run:')
  say(`   ${'shopper'.padEnd(8)} ${'key'.padEnd(10)} ${'payment'.padEnd(27)} charges  gateway calls`)
  for (const u of uses) {
    const charges = newCharges.filter((c) => u.chargeIds.has(c.chargeId))
    const calls = charges.map((c) => c.requests).join('+') || '0'
    const payment = [...u.paymentIds].join(', ') || '-'
    say(
      `   ${u.shopper.padEnd(8)} ${`…${u.key.slice(-8)}`.padEnd(10)} ${payment.padEnd(27)} ${String(charges.length).padEnd(8)} ${calls}`,
    )
    if (u.chargeIds.size !== 1 || charges.length !== 1)
      problems.push(`${u.shopper}: ${charges.length} charges for one key`)
  }
  if (newCharges.length !== uses.length)
    problems.push(`${newCharges.length} new charges in the ledger for ${uses.length} keys`)
}

async function ensureApi(): Promise<{ latencyMs: number; started?: LocalApi }> {
  const health = await api.send('GET', '/_local/health').catch(() => undefined)
  if (health?.status === 200) return { latencyMs: health.json?.gatewayLatencyMs ?? 50 }
  if (process.env.API_URL) throw new Error(`No payments API answers at ${url}`)
  say(`No local API on ${url}: starting one (in memory) for this demo.`)
  const started = await startLocalApi({ port, inMemory: true, log: () => undefined })
  return { latencyMs: 50, started }
}

/** A fresh server's first payment pays for module loading and connections; the story should not. */
async function shopOpens(): Promise<void> {
  say('\n0. The shop opens with a ₹1 test payment.')
  expectStatus(
    await pay(use('shop'), 'pay', { body: { amount: 100, currency: 'INR' } }),
    201,
    'The test payment',
  )
}

async function main(): Promise<number> {
  const { latencyMs, started } = await ensureApi()
  let paidOut = false
  try {
    say(`Festival sale at ${url} (gateway latency ${latencyMs} ms)`)
    const before = new Set((await api.charges()).map((c) => c.chargeId))
    // Some events reach fulfilment twice, as a retried stream batch would deliver them.
    await api.duplicateNext(DEMO_DUPLICATED_EVENTS)
    await shopOpens()
    await lostResponse(latencyMs)
    await doubleClick()
    await burst(20)
    await sameKeyOtherShopper()
    await gatewayHiccup()
    await declined()
    await ledgerVerdict(before)
    const paid = new Set(uses.flatMap((u) => [...u.paidIds]))
    const unpaid = new Set(uses.flatMap((u) => [...u.paymentIds].filter((id) => !paid.has(id))))
    problems.push(...(await fulfilmentVerdict(api, paid, unpaid, say)))
    const payouts = await payoutStory(api, say)
    problems.push(...payouts.problems)
    paidOut = payouts.told
    problems.push(...(await dailyTotalsStory(api, say)))
  } finally {
    await started?.stop()
  }
  if (problems.length > 0) {
    say(`\nFAILED:\n${problems.map((p) => `   ${p}`).join('\n')}`)
    return 1
  }
  say(`\nOne charge per key: ${uses.length} keys, ${uses.length} charges, however the requests arrived.`)
  say('One fulfilment per paid payment, however often its event was delivered.')
  if (paidOut)
    say('One payout per key, however often it was asked for and wherever the payout function died.')
  say('One clean run’s totals per day, however often the job ran, was forced, died or ran twice at once.')
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message)
    process.exit(1)
  },
)
