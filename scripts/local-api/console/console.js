/*
 * The console page's script: no framework, no build. It polls GET /_local/console/state rather than holding a
 * Server-Sent Events stream: the state lives in DynamoDB tables that only a scan reads, so the server would have
 * to poll them anyway to have anything to push. Polling keeps the server stateless and needs no reconnection
 * logic after a restart or a sleeping laptop. Rows are patched in place, cell by cell and only where the text
 * changed, so focus and a text selection survive each refresh.
 */
const STATE_URL = '/_local/console/state'
/** 1 s: a lease counts down in seconds, and a developer watching a request wants to see it move. */
const INTERVAL_MS = 1000
const OUTCOMES = [
  'fresh',
  'replay',
  'conflict',
  'mismatch',
  'released',
  'lease-lost',
  'timed-out',
  'store-error',
  'result-not-stored',
]
/** Outcomes that mean a client bug or trouble (the toolkit logs them at warn or error). */
const TROUBLE = new Set(['mismatch', 'lease-lost', 'timed-out', 'store-error', 'result-not-stored'])
/** Characters (base64url) of the record key's hash shown: enough to tell keys apart and find one in the logs. */
const HASH_CHARACTERS_SHOWN = 12

const $ = (id) => document.getElementById(id)
const live = $('live')
const tbody = $('records').tBodies[0]
let timer
let inFlight = false

async function refresh() {
  if (inFlight) return
  inFlight = true
  try {
    const response = await fetch(STATE_URL, { cache: 'no-store' })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    render(await response.json())
    setText($('problem'), '')
  } catch (error) {
    setText($('problem'), `Cannot read the console state (${error.message}). Is npm start still running?`)
  } finally {
    inFlight = false
    schedule()
  }
}

function schedule() {
  clearTimeout(timer)
  if (live.checked && !inFlight) timer = setTimeout(refresh, INTERVAL_MS)
}

function render(state) {
  const { summary, tables, nowEpochMs } = state
  setText($('tables'), `Idempotency table ${tables.idempotency} · gateway ledger ${tables.gatewayLedger}`)
  for (const dd of $('summary').querySelectorAll('dd')) {
    const value = summary[dd.dataset.field]
    const bad =
      value > 0 &&
      (dd.dataset.field === 'keysWithMoreThanOneCharge' || dd.dataset.field === 'unmatchedCharges')
    setText(
      dd,
      bad && dd.dataset.field === 'keysWithMoreThanOneCharge' ? `${value}: must be 0` : String(value),
    )
    dd.classList.toggle('bad', bad)
  }
  setText($('updated'), `Updated ${new Date(nowEpochMs).toLocaleTimeString()}`)
  $('empty').hidden = state.records.length > 0
  $('not-shown').hidden = summary.recordsNotShown === 0
  setText($('not-shown'), `${summary.recordsNotShown} less recently active records not shown.`)

  const rows = new Map([...tbody.rows].map((row) => [row.dataset.key, row]))
  let previous = null
  for (const record of state.records) {
    const row = rows.get(record.recordKey) ?? newRow(record.recordKey)
    rows.delete(record.recordKey)
    for (const [i, lines] of cellsOf(record, nowEpochMs).entries()) fill(row.cells[i], lines)
    const wanted = previous === null ? tbody.firstElementChild : previous.nextElementSibling
    if (row !== wanted) tbody.insertBefore(row, wanted)
    previous = row
  }
  for (const stale of rows.values()) stale.remove()
  renderPayouts(state.payouts)
}

function newRow(recordKey) {
  const row = document.createElement('tr')
  row.dataset.key = recordKey
  const header = document.createElement('th')
  header.scope = 'row'
  row.append(header)
  for (let i = 0; i < 5; i++) row.append(document.createElement('td'))
  return row
}

/** Each cell as lines of `{ text, cls?, code?, title? }`, one per column heading. */
function cellsOf(record, nowEpochMs) {
  const cut = record.recordKey.lastIndexOf('#')
  const shortKey = `${record.recordKey.slice(0, cut + 1)}${record.recordKey.slice(cut + 1, cut + 1 + HASH_CHARACTERS_SHOWN)}…`
  const users = [...new Set(record.sentKeys.map((sent) => sent.user))]
  return [
    [{ text: shortKey, code: true, cls: 'nowrap', title: record.recordKey }],
    record.sentKeys.length > 0
      ? record.sentKeys.map((sent) => ({ text: sent.idempotencyKey, code: true }))
      : [
          {
            text: Object.keys(record.outcomes).length > 0 ? 'none: an event' : 'not seen by this server',
            cls: 'muted',
          },
        ],
    [{ text: users.length === 0 ? '—' : users.join(', ') }],
    stateLines(record, nowEpochMs),
    outcomeLines(record.outcomes),
    chargeLines(record.charges),
  ]
}

function stateLines(record, nowEpochMs) {
  const cls = `state-${record.state.toLowerCase().replace('_', '-')}`
  const untilExpiry = record.expiresAtEpochSeconds * 1000 - nowEpochMs
  switch (record.state) {
    case 'IN_PROGRESS':
      return [
        { text: 'IN_PROGRESS', cls },
        record.leaseRemainingMs > 0
          ? { text: `lease ${duration(record.leaseRemainingMs)} left` }
          : { text: 'lease ended: a retry takes the key over', cls: 'warn' },
      ]
    case 'COMPLETED':
      return [
        { text: 'COMPLETED', cls },
        { text: `replayed for ${duration(untilExpiry)} more`, cls: 'muted' },
      ]
    case 'expired':
      return [
        { text: 'expired', cls },
        { text: `was ${record.storedStatus}; retention ended ${duration(-untilExpiry)} ago`, cls: 'muted' },
      ]
    default:
      return [
        { text: 'other', cls },
        { text: `no idempotency status (${record.storedStatus})`, cls: 'muted' },
      ]
  }
}

function outcomeLines(outcomes) {
  const seen = OUTCOMES.filter((type) => outcomes[type] > 0)
  if (seen.length === 0) return [{ text: 'none seen by this server', cls: 'muted' }]
  return seen.map((type) => ({
    text: `${type}: ${outcomes[type]}`,
    cls: TROUBLE.has(type) ? 'warn nowrap' : 'nowrap',
  }))
}

function chargeLines(charges) {
  if (charges.length === 0) return [{ text: 'no charge', cls: 'muted' }]
  const count =
    charges.length === 1
      ? { text: '1 charge' }
      : { text: `${charges.length} charges: more than one for one key!`, cls: 'bad' }
  return [
    count,
    ...charges.flatMap((charge) => [
      { text: charge.chargeId, code: true },
      { text: `${money(charge.amount, charge.currency)}, ${charge.status}` },
      { text: `${charge.gatewayCalls} gateway call${charge.gatewayCalls === 1 ? '' : 's'}`, cls: 'muted' },
    ]),
  ]
}

/** Amounts are in minor units; the currency says how many digits follow the point (INR 2, JPY 0). */
function money(amount, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency })
    return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits)
  } catch {
    return `${amount} ${currency}`
  }
}

/** Units a person counts a span in, largest first. */
const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['min', 60],
  ['s', 1],
]

/**
 * A span as a person reads it: its two largest units, whole seconds rounded up ("1 d 0 h", "14 min 59 s",
 * "12 s"). A durable execution's lease runs for a day: "86401 s" says nothing at a glance.
 */
function duration(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000))
  const first = UNITS.findIndex(([, size]) => seconds >= size)
  if (first === -1 || first === UNITS.length - 1) return `${seconds} s`
  const [[big, bigSize], [small, smallSize]] = [UNITS[first], UNITS[first + 1]]
  return `${Math.floor(seconds / bigSize)} ${big} ${Math.floor((seconds % bigSize) / smallSize)} ${small}`
}

/** Rebuilds a cell only when its lines changed, so an unchanged cell keeps any selection in it. */
function fill(cell, lines) {
  const signature = JSON.stringify(lines)
  if (cell.dataset.lines === signature) return
  cell.dataset.lines = signature
  cell.replaceChildren(
    ...lines.map((line) => {
      const element = document.createElement(line.code ? 'code' : 'span')
      element.className = `line ${line.cls ?? ''}`.trim()
      element.textContent = line.text
      if (line.title) element.title = line.title
      return element
    }),
  )
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text
}

live.addEventListener('change', () => (live.checked ? refresh() : clearTimeout(timer)))
refresh()
