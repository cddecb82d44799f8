import { isDeepStrictEqual } from 'node:util'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { GATEWAY_LEDGER_PARTITION_KEY } from '../../functions/shared/tables.js'
import { decodeResult } from '../../lib/result-codec.js'
import type { IdempotencyRecord } from '../../lib/store/index.js'
import { backendOf, type ModelEnvironment } from './model.js'
import { type Answer, type Execution, LEASE_MS, type Trace } from './model-trace.js'

export interface ModelTables {
  readonly idempotency: string
  readonly ledger: string
  readonly payments: string
}

/** Errors a client may legitimately get; anything else (a TypeError, a raw SDK error) is a bug. */
const EXPECTED_ERRORS = new Set([
  'IdempotencyInProgressError',
  'IdempotencyStoreUnavailableError',
  'IdempotencyLeaseLostError',
  'HandlerFailure',
])

interface KeyState {
  readonly stored: IdempotencyRecord | undefined
  readonly ledger: { chargeId?: string; requests: number } | undefined
  readonly paymentChargeId: string | undefined
}

/** Reads what the run left behind and returns every broken invariant, one sentence each. */
export async function checkRun(trace: Trace, env: ModelEnvironment): Promise<string[]> {
  const problems: string[] = []
  const backend = backendOf(env)
  for (const key of new Set(trace.answers.map((answer) => answer.key))) {
    const executions = trace.executions.filter((e) => e.key === key)
    const answers = trace.answers.filter((a) => a.key === key)
    const first = executions[0]
    const state: KeyState = {
      stored: first === undefined ? undefined : await backend.readRecord(first.recordKey),
      ledger: first === undefined ? undefined : await ledgerEntry(env, first.gatewayKey),
      paymentChargeId: first === undefined ? undefined : await backend.paymentCharge(first.paymentId),
    }
    problems.push(...checkKey(executions, answers, state).map((problem) => `${key}: ${problem}`))
  }
  for (const answer of trace.answers) {
    const name = answer.error?.name
    if (name !== undefined && !EXPECTED_ERRORS.has(name))
      problems.push(`actor ${answer.actorId} got an unexpected ${name}: ${answer.error?.message}`)
  }
  trace.summary.takeovers = trace.executions.filter((e) => tookOver(e, trace.executions)).length
  return problems
}

function checkKey(executions: Execution[], answers: Answer[], state: KeyState): string[] {
  const problems: string[] = []
  const claimed = (e: Execution) => e.claim.appliedSeq ?? Number.POSITIVE_INFINITY
  for (const e of executions) {
    if (e.claim.appliedSeq === undefined)
      problems.push(`execution ${e.id} ran without its claim being written`)
    // Fail closed: a claim whose lease has ended holds nothing, since another attempt may already hold the key.
    if (e.startEpochMs >= e.claim.leaseUntilEpochMs)
      problems.push(`execution ${e.id} ran on a claim whose lease had already ended`)
    for (const earlier of executions.filter((other) => claimed(other) < claimed(e)))
      problems.push(...exclusivity(earlier, e))
  }
  const completers = new Set(
    executions.filter((e) => e.completeAppliedSeq !== undefined).map((e) => e.claim.token),
  )
  if (completers.size > 1) problems.push(`${completers.size} different invocations stored a completion`)

  const { stored } = state
  const owner = executions.find((e) => e.claim.token === stored?.token)
  const storedResult = stored?.status === 'COMPLETED' ? decodeResult(stored.result) : undefined
  if (stored?.status !== 'COMPLETED') problems.push(`no completed record at the end (${stored?.status})`)
  else if (owner === undefined || !isDeepStrictEqual(storedResult, owner.result))
    problems.push(`the stored result ${JSON.stringify(storedResult)} is not its owner's result`)
  else if (owner.completeAppliedSeq === undefined) problems.push('the stored completion was never applied')

  for (const answer of answers) {
    if (answer.kind !== 'error' && !isDeepStrictEqual(answer.result, storedResult))
      problems.push(
        `actor ${answer.actorId} got ${answer.kind} ${JSON.stringify(answer.result)}, not the stored one`,
      )
    if (answer.probe && answer.kind === 'error')
      problems.push(`the key stayed blocked past every lease: ${answer.error?.name}`)
    // The engine reads its clock before the claim is sent, so time that passed in flight can add to the wait.
    const longestWaitSeconds = Math.ceil((LEASE_MS + answer.elapsedMs) / 1000)
    if ((answer.error?.retryAfterSeconds ?? 0) > longestWaitSeconds)
      problems.push(`a conflict asked to wait ${answer.error?.retryAfterSeconds} s, past any lease`)
  }

  const charged = executions.filter((e) => e.chargeId !== undefined)
  if (new Set(executions.map((e) => e.gatewayKey)).size > 1)
    problems.push('retries used different gateway keys')
  if (new Set(charged.map((e) => e.chargeId)).size > 1) problems.push('the gateway charged more than once')
  if (charged.length > 0 && state.ledger?.requests !== charged.length)
    problems.push(
      `the ledger counts ${state.ledger?.requests} charge calls, the handlers made ${charged.length}`,
    )
  const chargeId = (storedResult as { chargeId?: string } | undefined)?.chargeId
  if (chargeId !== state.ledger?.chargeId)
    problems.push('the stored result names another charge than the ledger')
  if (chargeId !== state.paymentChargeId)
    problems.push('the payment committed with the completion is missing')
  return problems
}

/**
 * A second execution may start only once the first released the key, or once the first's lease had ended by
 * the clock of the second's claim. After a completion was applied, none may start at all.
 */
function exclusivity(first: Execution, second: Execution): string[] {
  const claimedSeq = second.claim.appliedSeq ?? Number.POSITIVE_INFINITY
  if ((first.completeAppliedSeq ?? Number.POSITIVE_INFINITY) < claimedSeq)
    return [
      `execution ${second.id} ran after execution ${first.id}'s result was stored: a completed result was lost`,
    ]
  if ((first.releaseAppliedSeq ?? Number.POSITIVE_INFINITY) < claimedSeq) return []
  if (second.claim.nowEpochMs < first.claim.leaseUntilEpochMs)
    return [`execution ${second.id} ran while execution ${first.id} still held a live lease`]
  return []
}

/** A claim over an execution that had neither completed nor released: its lease had run out. */
function tookOver(second: Execution, all: Execution[]): boolean {
  const claimedSeq = second.claim.appliedSeq ?? Number.POSITIVE_INFINITY
  return all.some(
    (first) =>
      first.key === second.key &&
      (first.claim.appliedSeq ?? Number.POSITIVE_INFINITY) < claimedSeq &&
      (first.completeAppliedSeq ?? Number.POSITIVE_INFINITY) > claimedSeq &&
      (first.releaseAppliedSeq ?? Number.POSITIVE_INFINITY) > claimedSeq,
  )
}

async function ledgerEntry(env: ModelEnvironment, gatewayKey: string): Promise<KeyState['ledger']> {
  const { Item } = await env.clean.send(
    new GetItemCommand({
      TableName: env.tables.ledger,
      Key: { [GATEWAY_LEDGER_PARTITION_KEY]: { S: gatewayKey } },
      ConsistentRead: true,
    }),
  )
  return Item === undefined ? undefined : { chargeId: Item.chargeId?.S, requests: Number(Item.requests?.N) }
}
