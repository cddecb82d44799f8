import type { CallRow } from './calls.js'
import type { PostgresPathRow } from './postgres.js'

/**
 * List prices, us-east-1, on demand, as published when this was written (check the pricing pages before relying
 * on them): DynamoDB on-demand per million request units; Aurora PostgreSQL (Aurora Standard storage) per
 * million I/O requests and per ACU-hour of Serverless v2; RDS for PostgreSQL db.t4g.micro Single-AZ per hour.
 */
export const LIST_PRICES_USD = {
  dynamoDBWriteRequestUnitsPerMillion: 0.625,
  dynamoDBReadRequestUnitsPerMillion: 0.125,
  auroraStandardIoPerMillion: 0.2,
  auroraServerlessV2AcuHour: 0.12,
  rdsT4gMicroHour: 0.016,
  dsqlDpuPerMillion: 8,
} as const

/** Aurora Serverless v2's smallest capacity that stays up (scale-to-zero pauses, and resumes in seconds). */
const MIN_ACUS = 0.5
/** Sustained rates the capacity cost is shown at: a quiet API, and a busy one. */
const RATES_PER_SECOND = [10, 100] as const

export interface PostgresResults {
  readonly rows: readonly PostgresPathRow[]
  /** Which PostgreSQL was measured. */
  readonly where: string
}

/**
 * DynamoDB's units for the calls of one path, items up to 1 KB (the bench's records and payments are): a write
 * unit per PutItem, UpdateItem or DeleteItem (refused or not), a read unit per strongly consistent GetItem, and
 * two per item of a TransactWriteItems, which in this bench carries the completion and one payment.
 */
function dynamoDBUnits(calls: readonly string[]): { writes: number; reads: number } {
  let writes = 0
  let reads = 0
  for (const call of calls) {
    if (call === 'TransactWriteItems') writes += 2 * 2
    else if (call === 'GetItem') reads += 1
    else writes += 1
  }
  return { writes, reads }
}

const usd = (value: number) => `$${value < 1 ? value.toFixed(3) : value.toFixed(2)}`
const perMillion = (units: number, pricePerMillion: number) => units * pricePerMillion

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [
    line(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n')
}

/** The "PostgreSQL" numbers of docs/performance.md: calls, round trips and what each path costs per million requests. */
export function renderPostgres(calls: readonly CallRow[], postgres: PostgresResults): string {
  const p = LIST_PRICES_USD
  const rows = postgres.rows.map((row) => {
    const dynamoDB = calls.find((call) => call.path === row.path)?.calls.ours ?? []
    const units = dynamoDBUnits(dynamoDB)
    const dynamoDBCost =
      perMillion(units.writes, p.dynamoDBWriteRequestUnitsPerMillion) +
      perMillion(units.reads, p.dynamoDBReadRequestUnitsPerMillion)
    return [
      row.path,
      `${dynamoDB.length} (${dynamoDB.join(', ')})`,
      `${units.writes} W${units.reads > 0 ? ` + ${units.reads} R` : ''}`,
      usd(dynamoDBCost),
      `${row.storeCalls.length} (${row.storeCalls.join(', ')})`,
      `${row.statements.length} (${row.statements.join(', ')})`,
      String(row.commits),
      String(row.walBytes),
      usd(perMillion(row.commits, p.auroraStandardIoPerMillion)),
    ]
  })
  const fresh = postgres.rows.find((row) => row.path === 'fresh success')
  const acuHour = MIN_ACUS * p.auroraServerlessV2AcuHour
  const capacity = (hourUsd: number) =>
    RATES_PER_SECOND.map((rate) => `${usd((hourUsd / (rate * 3600)) * 1e6)} at ${rate}/s`).join(', ')
  return [
    `**PostgreSQL next to DynamoDB: store calls, SQL round trips, and list-price cost per million requests (${postgres.where})**`,
    '',
    table(
      [
        'path',
        'DynamoDB calls',
        'DynamoDB units',
        'DynamoDB on-demand, per million',
        'PostgreSQL store calls',
        'SQL round trips',
        'commits',
        'WAL bytes',
        'Aurora Standard I/O, per million (≈)',
      ],
      rows,
    ),
    '',
    `- DynamoDB on demand is priced per request: ${usd(p.dynamoDBWriteRequestUnitsPerMillion)} per million write units and ${usd(p.dynamoDBReadRequestUnitsPerMillion)} per million read units (us-east-1), items up to 1 KB; a refused conditional write costs a write unit, a TransactWriteItems two per item.`,
    `- PostgreSQL is priced by capacity, whatever the traffic. Aurora Serverless v2 at its ${MIN_ACUS} ACU floor costs ${usd(acuHour)} an hour (${usd(acuHour * 730)} a month), per million requests ${capacity(acuHour)}; RDS db.t4g.micro Single-AZ ${usd(p.rdsT4gMicroHour)} an hour (${usd(p.rdsT4gMicroHour * 730)} a month), per million ${capacity(p.rdsT4gMicroHour)}. Both assume that capacity keeps up with the rate: not measured here, load-test your own.`,
    `- Aurora Standard also bills ${usd(p.auroraStandardIoPerMillion)} per million I/O requests; the column counts one 4 KB log write per commit, as at low concurrency (Aurora batches concurrent commits into fewer). Reads served from the buffer cache cost none. Aurora I/O-Optimized has no I/O charge and dearer ACUs and storage.`,
    `- Every path is a write on PostgreSQL too: a replay's \`INSERT … ON CONFLICT\` locks the row it refuses (about ${postgres.rows.find((row) => row.path === 'replay')?.walBytes ?? '?'} bytes of WAL), so a read replica cannot answer it. WAL bytes are averages over repeated requests on the server measured${fresh ? ` (a fresh request: about ${fresh.walBytes})` : ''}; with full_page_writes on, the first change to a page after a checkpoint adds its whole 8 KB page.`,
    `- Round trips are statements on a warm pooled connection; a cold Lambda adds the connection (TCP, TLS, authentication) once. The handler's own write adds BEGIN, its statements and COMMIT, all on one connection.`,
    `- Aurora DSQL bills ${usd(p.dsqlDpuPerMillion)} per million DPUs, with no capacity floor; how many DPUs these statements take is not measured (no DSQL here). See docs/sql.md.`,
  ].join('\n')
}
