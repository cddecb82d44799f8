import type { PlannedRequest } from './plan.js'

/** One HTTP call that came back: its status, latency and, for a 201, the charge it names. */
export interface Call {
  readonly status: number
  readonly latencyMs: number
  readonly replayed: boolean
  /** A retry after an abort or a 409: it asks the server to wait for its twin, so it may take seconds. */
  readonly retry: boolean
  readonly chargeId?: string
  readonly body: string
}

export interface Outcome {
  readonly request: PlannedRequest
  readonly calls: Call[]
  readonly aborted: number
  /** The last answer, undefined if none came within the attempts allowed. */
  readonly final?: Call
  readonly networkErrors: string[]
}

/** A retry asks the server to wait this long for an in-flight twin (`Prefer: wait`), as a careful client does. */
const PREFER_WAIT_SECONDS = 5
/** Retry-After is at least 1 s; a load test that honoured it fully would mostly measure sleeping. */
const MAX_RETRY_SLEEP_MS = 250
/** Enough to outlast a twin's lease in any healthy run; more means something is stuck. */
const MAX_ATTEMPTS = 20

/**
 * Sends one logical payment like a retrying client: an aborted attempt or a 409 is retried with the same key
 * and body (with `Prefer: wait`), until a final answer. A 409 to a plain duplicate is final for that duplicate.
 */
export async function sendPayment(url: string, request: PlannedRequest): Promise<Outcome> {
  const { key } = request
  const calls: Call[] = []
  const networkErrors: string[] = []
  let aborted = 0
  let retrying = false
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const abortAfterMs = attempt === 1 ? request.abortAfterMs : undefined
    const startedMs = performance.now()
    try {
      const response = await fetch(`${url}/payments`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${key.user}`,
          'Idempotency-Key': key.key,
          'Content-Type': 'application/json',
          ...(retrying ? { Prefer: `wait=${PREFER_WAIT_SECONDS}` } : {}),
        },
        body: JSON.stringify({ amount: key.amount, currency: 'INR', description: `load test ${key.index}` }),
        signal: abortAfterMs === undefined ? undefined : AbortSignal.timeout(abortAfterMs),
      })
      const body = await response.text()
      const call: Call = {
        status: response.status,
        latencyMs: performance.now() - startedMs,
        replayed: response.headers.get('idempotent-replayed') === 'true',
        retry: retrying,
        chargeId: response.status === 201 ? (JSON.parse(body) as { chargeId?: string }).chargeId : undefined,
        body,
      }
      calls.push(call)
      if (call.status !== 409 || !retrying) return { request, calls, aborted, final: call, networkErrors }
      const retryAfterSeconds = Number(response.headers.get('retry-after') ?? 1)
      await sleep(Math.min(retryAfterSeconds * 1000, MAX_RETRY_SLEEP_MS))
    } catch (error) {
      const name = (error as Error).name
      if (name === 'TimeoutError' || name === 'AbortError') aborted++
      else networkErrors.push(`${name}: ${(error as Error).message}`)
      retrying = true
    }
  }
  return { request, calls, aborted, networkErrors }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
