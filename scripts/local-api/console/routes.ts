import { readFile } from 'node:fs/promises'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { jsonResponse } from '../../../functions/shared/problems.js'
import type { HttpResult } from '../../../lib/http/index.js'
import type { ConsolePayoutsSource } from './payouts-state.js'
import type { ConsoleRecorder } from './recorder.js'
import { type ConsoleState, consoleState, type RecordSource } from './state.js'

export interface ConsoleContext {
  readonly client: DynamoDBDocumentClient
  readonly recorder: ConsoleRecorder
  readonly tables: ConsoleState['tables']
  /** Where the records are read from when they are not in the DynamoDB table (PostgreSQL mode). */
  readonly records?: RecordSource
  /** The gateway account of the store in use, whose charges the console reconciles with its records. */
  readonly account?: string
  /** The payouts' tables, or why payouts do not run here; no payouts panel data when absent. */
  readonly payouts?: ConsolePayoutsSource
}

/**
 * Files read on every request, not bundled: the page is plain HTML, CSS and a script, edited and reloaded
 * without a build or a restart.
 */
const FILES: Readonly<Record<string, { readonly name: string; readonly type: string }>> = {
  '/_local': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/_local/': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/_local/console.js': { name: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/_local/console-payouts.js': { name: 'console-payouts.js', type: 'text/javascript; charset=utf-8' },
  '/_local/console.css': { name: 'console.css', type: 'text/css; charset=utf-8' },
}

/** The page loads its own script, style and state and nothing else: no inline code, no CDN, no framing. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
}

/** The JSON the page polls once a second; the server leaves it out of its request log. */
export const CONSOLE_STATE_PATH = '/_local/console/state'

/**
 * The console's routes: the page at `/_local/` and the JSON it polls at `/_local/console/state`. Undefined when
 * none matches. The state holds the raw keys clients sent; `localRoute` lets only requests addressed to this
 * machine by name reach any `/_local` route, this one included.
 */
export async function consoleRoute(
  request: { readonly method: string; readonly path: string },
  context: ConsoleContext,
): Promise<HttpResult | undefined> {
  const file = FILES[request.path]
  const isState = request.path === CONSOLE_STATE_PATH
  if (request.method !== 'GET' || (file === undefined && !isState)) return undefined
  if (file !== undefined) {
    const body = await readFile(new URL(file.name, import.meta.url), 'utf8')
    return { statusCode: 200, headers: { 'Content-Type': file.type, ...PAGE_HEADERS }, body }
  }
  const { client, recorder, tables, records, account, payouts } = context
  const nowEpochMs = Date.now()
  const state = await consoleState({ client, tables, recorder, records, account, payouts, nowEpochMs })
  return jsonResponse(200, state, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
}
