/**
 * The data both libraries see: an order placed by direct invocation (the event) and a customer's order history
 * (the large response). Generated from a seeded PRNG so every run measures the same bytes, with the shape and
 * entropy of real JSON (ids, timestamps, prices, product names drawn from a catalogue), neither padded with one
 * repeated character (which would flatter compression) nor random noise (which would defeat it unrealistically).
 */

export const FUNCTION_NAME = 'orders'

export interface OrderLine {
  sku: string
  name: string
  quantity: number
  unitPriceMinor: number
}

export interface OrderEvent {
  idempotencyKey: string
  customerId: string
  currency: string
  shipTo: { name: string; line1: string; city: string; postcode: string; country: string }
  lines: OrderLine[]
}

export interface BenchContext {
  readonly functionName: string
  readonly awsRequestId: string
  getRemainingTimeInMillis(): number
}

/** A typical API-facing Lambda timeout; only the lease length depends on it. */
const LAMBDA_TIMEOUT_MS = 10_000

const PRODUCTS = [
  'Organic green tea 250 g',
  'Stainless steel water bottle 750 ml',
  'Wireless earbuds, charcoal',
  'Merino wool socks, 3 pairs',
  'Cast iron skillet 26 cm',
  'Recycled notebook A5, dotted',
  'USB-C charging cable 2 m',
  'Dark roast coffee beans 1 kg',
  'Yoga mat 6 mm, sage',
  'LED desk lamp with dimmer',
  'Bamboo cutting board, large',
  'Running shorts, navy, M',
  'Paperback: The Pragmatic Programmer',
  'Ceramic mug 350 ml, speckled',
  'Noise-cancelling headphones',
  'Sunscreen SPF 50, 200 ml',
]
const CITIES = [
  ['Berlin', 'DE'],
  ['Lyon', 'FR'],
  ['Bengaluru', 'IN'],
  ['Austin', 'US'],
  ['Leeds', 'GB'],
  ['Porto', 'PT'],
] as const
const STREETS = ['Market Street', 'Station Road', 'Church Lane', 'Park Avenue', 'Mill Road', 'High Street']
const NAMES = ['Asha Rao', 'Jonas Weber', 'Chloé Martin', 'Sam Carter', 'Inês Costa', 'Priya Nair']
const STATUSES = ['delivered', 'delivered', 'delivered', 'shipped', 'refunded', 'cancelled']

/** mulberry32: tiny, fast and good enough to make plausible data; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => Math.floor(random() * 10)).join('')
const hex = (random: Random, count: number) =>
  Array.from({ length: count }, () => Math.floor(random() * 16).toString(16)).join('')

export function uuidFrom(random: Random): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`
}

function orderLine(random: Random): OrderLine {
  return {
    sku: `SKU-${digits(random, 6)}`,
    name: pick(random, PRODUCTS),
    quantity: 1 + Math.floor(random() * 4),
    unitPriceMinor: 199 + Math.floor(random() * 15_000),
  }
}

function address(random: Random) {
  const [city, country] = pick(random, CITIES)
  return {
    name: pick(random, NAMES),
    line1: `${1 + Math.floor(random() * 200)} ${pick(random, STREETS)}`,
    city,
    postcode: digits(random, 5),
    country,
  }
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

/** An order with as many lines as it takes to reach `targetBytes` of JSON. */
export function orderEvent(targetBytes: number, seed = 1): OrderEvent {
  const random = seededRandom(seed)
  const event: OrderEvent = {
    idempotencyKey: uuidFrom(random),
    customerId: `cus_${hex(random, 14)}`,
    currency: 'EUR',
    shipTo: address(random),
    lines: [],
  }
  while (jsonBytes(event) < targetBytes) event.lines.push(orderLine(random))
  return event
}

/** The same order under another key: a fresh request with identical work. */
export function withKey(event: OrderEvent, idempotencyKey: string): OrderEvent {
  return { ...event, idempotencyKey }
}

/** A customer's order history (what a "list my orders" endpoint returns) of about `targetBytes` of JSON. */
export function orderHistory(targetBytes: number, seed = 2) {
  const random = seededRandom(seed)
  const history = { customerId: `cus_${hex(random, 14)}`, currency: 'EUR', orders: [] as unknown[] }
  let placedAtEpochMs = Date.UTC(2025, 0, 1)
  while (jsonBytes(history) < targetBytes) {
    const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, () => orderLine(random))
    placedAtEpochMs += Math.floor(random() * 5 * 86_400_000)
    history.orders.push({
      orderId: `ord_${hex(random, 16)}`,
      placedAt: new Date(placedAtEpochMs).toISOString(),
      status: pick(random, STATUSES),
      totalMinor: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0),
      lines,
      shipTo: address(random),
    })
  }
  // An order is a few hundred bytes: keep the last one only if that lands nearer the target than dropping it.
  const overBytes = jsonBytes(history) - targetBytes
  const last = history.orders.pop()
  if (targetBytes - jsonBytes(history) > overBytes) history.orders.push(last)
  return history
}

let requestCounter = 0

/** A fresh Lambda-like context per invocation, as the runtime gives; the deadline runs on the real clock. */
export function benchContext(): BenchContext {
  const deadlineEpochMs = Date.now() + LAMBDA_TIMEOUT_MS
  requestCounter += 1
  return {
    functionName: FUNCTION_NAME,
    awsRequestId: `req-${requestCounter}`,
    getRemainingTimeInMillis: () => deadlineEpochMs - Date.now(),
  }
}
