import { v7 as uuidv7 } from 'uuid'

/**
 * What `npm start` prints for a person to paste: commands that work as printed on any machine with a shell and
 * curl (a slim one has no uuidgen), each alone on its line. Each carries a UUIDv7 key made now, as a client
 * would make it, so the first paste is a payment and the same line again its replay. `payouts` is true when
 * payouts run here, or the reason they do not.
 */
export function startHints(url: string, options: { payouts: true | string }): string[] {
  const json = `-H 'Content-Type: application/json'`
  const as = `-H 'Authorization: Bearer asha'`
  const lines = [
    'Try it (the same line again is a replay: same key, same answer, no second charge):',
    `  curl -i ${url}/payments ${as} -H 'Idempotency-Key: ${uuidv7()}' ${json} -d '{"amount":6000000,"currency":"INR"}'`,
    'A new payment needs a new key: npx uuid v7 makes one (a UUIDv7, as clients should), or use any unique string.',
  ]
  if (options.payouts !== true) return [...lines, options.payouts]
  return [
    ...lines,
    'Payouts answer 202; GET the Location it gives (with the same Authorization) until it has succeeded:',
    `  curl -i ${url}/payouts ${as} -H 'Idempotency-Key: ${uuidv7()}' ${json} -d '{"accountId":"acct_asha","amount":250000,"currency":"INR"}'`,
  ]
}
