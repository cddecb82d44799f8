/*
 * The console's payouts panel, drawn from the `payouts` of the state console.js polls; it uses console.js's
 * fill, money and setText (both are plain scripts sharing the page's scope, loaded in order). Rows are patched in
 * place as the keys table's are.
 */
const PAYOUT_STATE_CLASS = {
  accepted: 'state-in-progress',
  reserved: 'state-in-progress',
  settling: 'state-in-progress',
  paid: 'state-completed',
}
const PAYOUT_STATE_NOTE = {
  accepted: '202 answered; the workflow has not reserved yet',
  reserved: 'funds held; the bank not called yet',
  settling: 'the bank accepted the transfer; waiting for settlement',
  paid: 'settled and recorded',
}

// biome-ignore lint/correctness/noUnusedVariables: called by console.js, a script of the same page
function renderPayouts(payouts) {
  const unavailable = document.getElementById('payouts-unavailable')
  const panel = document.getElementById('payouts-panel')
  const reason =
    payouts === undefined
      ? 'This API has no payouts.'
      : payouts.available
        ? ''
        : `Payouts unavailable: ${payouts.reason}`
  unavailable.hidden = reason === ''
  setText(unavailable, reason)
  panel.hidden = reason !== ''
  if (reason !== '') return

  for (const dd of document.getElementById('payouts-summary').querySelectorAll('dd')) {
    const value = payouts.summary[dd.dataset.field]
    const bad = dd.dataset.field === 'operationsWithMoreThanOneTransfer' && value > 0
    setText(dd, bad ? `${value}: must be 0` : String(value))
    dd.classList.toggle('bad', bad)
  }
  document.getElementById('payouts-empty').hidden = payouts.rows.length > 0
  const tbody = document.getElementById('payouts').tBodies[0]
  const rows = new Map([...tbody.rows].map((row) => [row.dataset.key, row]))
  let previous = null
  for (const payout of payouts.rows) {
    const key = payout.operationId ?? payout.payout?.payoutId
    const row = rows.get(key) ?? newPayoutRow(key)
    rows.delete(key)
    for (const [i, lines] of payoutCells(payout).entries()) fill(row.cells[i], lines)
    const wanted = previous === null ? tbody.firstElementChild : previous.nextElementSibling
    if (row !== wanted) tbody.insertBefore(row, wanted)
    previous = row
  }
  for (const stale of rows.values()) stale.remove()
}

function newPayoutRow(key) {
  const row = document.createElement('tr')
  row.dataset.key = key
  const header = document.createElement('th')
  header.scope = 'row'
  row.append(header)
  for (let i = 0; i < 5; i++) row.append(document.createElement('td'))
  return row
}

/** Each cell as lines of `{ text, cls?, code?, title? }`, one per column heading. */
function payoutCells(payout) {
  const users = [...new Set(payout.sentKeys.map((sent) => sent.user))]
  const id = payout.operationId
  return [
    id === undefined
      ? [{ text: 'none: its record is gone', cls: 'muted' }]
      : // Whole, unlike the record key: it is what the client's Location and GET /operations/{id} carry.
        [{ text: id, code: true }],
    payout.sentKeys.length > 0
      ? payout.sentKeys.map((sent) => ({ text: sent.idempotencyKey, code: true }))
      : [{ text: 'not seen by this server', cls: 'muted' }],
    [{ text: users.length === 0 ? '—' : users.join(', ') }],
    [
      { text: payout.state, cls: PAYOUT_STATE_CLASS[payout.state] },
      { text: PAYOUT_STATE_NOTE[payout.state], cls: 'muted' },
    ],
    payout.payout === undefined
      ? [{ text: 'not reserved yet', cls: 'muted' }]
      : [
          { text: payout.payout.payoutId, code: true },
          { text: money(payout.payout.amount, payout.payout.currency) },
          { text: `to ${payout.payout.accountId}`, cls: 'muted' },
        ],
    transferLines(payout.transfers),
  ]
}

function transferLines(transfers) {
  if (transfers.length === 0) return [{ text: 'no transfer', cls: 'muted' }]
  const count =
    transfers.length === 1
      ? { text: '1 transfer' }
      : { text: `${transfers.length} transfers: more than one for one key!`, cls: 'bad' }
  return [
    count,
    ...transfers.flatMap((transfer) => [
      { text: transfer.transferId, code: true },
      { text: money(transfer.amount, transfer.currency) },
      {
        text: `${transfer.bankRequests} bank request${transfer.bankRequests === 1 ? '' : 's'}`,
        cls: 'muted',
      },
    ]),
  ]
}
