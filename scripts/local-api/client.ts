/** A plain HTTP client for the local payments API, as any client would speak to it; used by the demo and tests. */

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: callers read whatever JSON came back
  readonly json: any
}

export interface PayOptions {
  /** The bearer token, which the local API takes as the user id; null sends no Authorization. @default 'asha' */
  readonly user?: string | null
  readonly key?: string
  /** A string is sent as is, anything else as JSON. @default festivalSale */
  readonly body?: unknown
  readonly headers?: Record<string, string>
  readonly signal?: AbortSignal
}

export interface LedgerCharge {
  readonly chargeId: string
  readonly gatewayKey: string
  readonly amount: number
  readonly currency: string
  readonly requests: number
}

/** Per payment: fulfilments made and messages delivered for its event (`GET /_local/fulfilments`). */
export interface FulfilmentCount {
  readonly paymentId: string
  readonly fulfilments: number
  readonly deliveries: number
}

/** A transfer in the simulated bank's ledger (`GET /_local/bank/transfers`). */
export interface BankTransfer {
  readonly transferId: string
  readonly bankKey: string
  readonly accountId: string
  readonly amount: number
  readonly currency: string
  /** Transfer calls that reached the bank with this key; repeats got the first transfer back. */
  readonly requests: number
}

/** ₹60,000 in paise: the festival-sale TV of the demo. */
export const festivalSale = { amount: 6_000_000, currency: 'INR', description: 'Festival sale: 55-inch TV' }

export function localApiClient(url: string) {
  async function send(method: string, path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${url}${path}`, { method, ...init })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }

  const pay = (options: PayOptions = {}): Promise<Answer> => {
    const body = options.body === undefined ? festivalSale : options.body
    return send('POST', '/payments', {
      headers: {
        'Content-Type': 'application/json',
        ...(options.user === null ? {} : { Authorization: `Bearer ${options.user ?? 'asha'}` }),
        ...(options.key === undefined ? {} : { 'Idempotency-Key': options.key }),
        ...options.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: options.signal,
    })
  }

  const getPayment = (user: string, location: string) =>
    send('GET', location, { headers: { Authorization: `Bearer ${user}` } })

  const charges = async (): Promise<LedgerCharge[]> =>
    (await send('GET', '/_local/gateway/charges')).json.charges as LedgerCharge[]

  const failNext = (count: number) =>
    send('POST', '/_local/gateway/faults', { body: JSON.stringify({ failNext: count }) })

  const fulfilments = async (): Promise<FulfilmentCount[]> =>
    (await send('GET', '/_local/fulfilments')).json.fulfilments as FulfilmentCount[]

  const duplicateNext = (count: number) =>
    send('POST', '/_local/outbox/faults', { body: JSON.stringify({ duplicateNext: count }) })

  const payout = (user: string, key: string, body: unknown) =>
    send('POST', '/payouts', {
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${user}`,
        'Idempotency-Key': key,
      },
      body: JSON.stringify(body),
    })

  const transfers = async (): Promise<BankTransfer[]> =>
    (await send('GET', '/_local/bank/transfers')).json.transfers as BankTransfer[]

  // biome-ignore lint/suspicious/noExplicitAny: payouts as the local route lists them
  const payouts = async (): Promise<any[]> => (await send('GET', '/_local/payouts')).json.payouts

  /** Kills the next payout invocations at a point: `{ afterBankCall: 1 }`, `{ beforeRecord: 1 }`. */
  const crashNext = (plan: { afterBankCall?: number; beforeRecord?: number }) =>
    send('POST', '/_local/payouts/crashes', { body: JSON.stringify(plan) })

  return {
    send,
    pay,
    getPayment,
    charges,
    failNext,
    fulfilments,
    duplicateNext,
    payout,
    transfers,
    payouts,
    crashNext,
  }
}
