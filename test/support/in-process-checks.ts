import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import { GATEWAY_LEDGER_PARTITION_KEY } from '../../functions/shared/tables.js'
import type { Answer, Execution, World } from './in-process-model.js'

export interface InProcessTotals {
  rounds: number
  requests: number
  executions: number
  fresh: number
  replays: number
  conflicts: number
  timeouts: number
  failures: number
  doubleEffects: number
  lostRecords: number
  crossCallerReplays: number
}

export const emptyTotals = (): InProcessTotals => ({
  rounds: 0,
  requests: 0,
  executions: 0,
  fresh: 0,
  replays: 0,
  conflicts: 0,
  timeouts: 0,
  failures: 0,
  doubleEffects: 0,
  lostRecords: 0,
  crossCallerReplays: 0,
})

const scopeOf = (answer: { plan: { caller: string; key: string } }) =>
  `${answer.plan.caller}:${answer.plan.key}`

/**
 * The invariants, per caller and key: bodies never overlap and none starts after a stored answer (no double
 * effect); the ledger saw exactly the charge calls the bodies made; every answer carries its own caller's and
 * key's execution (no cross-caller replay); and once any request succeeded, the probe after every lease gets
 * that same answer (no lost record). Returns the broken ones, one sentence each, and adds to `totals`.
 */
export async function checkRound(
  world: World,
  answers: readonly Answer[],
  probes: readonly Answer[],
  client: DynamoDBClient,
  ledgerTableName: string,
  totals: InProcessTotals,
): Promise<string[]> {
  const problems = [...world.problems]
  totals.rounds++
  totals.requests += answers.length
  totals.executions += world.executions.length
  for (const answer of answers) {
    if (answer.kind === 'fresh') totals.fresh++
    if (answer.kind === 'replay') totals.replays++
    if (answer.kind === 'conflict') totals.conflicts++
    if (answer.kind === 'timeout') totals.timeouts++
    if (answer.kind === 'failed') totals.failures++
  }
  for (const answer of [...answers, ...probes]) {
    if (answer.kind === 'unexpected') problems.push(`plan ${answer.plan.id}: unexpected ${answer.detail}`)
    const { result } = answer
    if (result !== undefined && (result.caller !== answer.plan.caller || result.key !== answer.plan.key)) {
      totals.crossCallerReplays++
      problems.push(`plan ${answer.plan.id} (${scopeOf(answer)}) got ${result.caller}:${result.key}'s answer`)
    }
  }
  for (const scope of new Set(answers.map(scopeOf))) {
    const executions = world.executions.filter((e) => `${e.plan.caller}:${e.plan.key}` === scope)
    const succeeded = answers.filter(
      (a) => scopeOf(a) === scope && (a.kind === 'fresh' || a.kind === 'replay'),
    )
    const probe = probes.find((p) => scopeOf(p) === scope)
    problems.push(...(await checkScope(scope, executions, succeeded, probe, client, ledgerTableName, totals)))
  }
  return problems
}

async function checkScope(
  scope: string,
  executions: readonly Execution[],
  succeeded: readonly Answer[],
  probe: Answer | undefined,
  client: DynamoDBClient,
  ledgerTableName: string,
  totals: InProcessTotals,
): Promise<string[]> {
  const problems: string[] = []
  const answered = new Set(succeeded.flatMap((a) => (a.result ? [a.result.execution] : [])))
  if (answered.size > 1) problems.push(`${scope}: answers from ${answered.size} different executions`)
  const storedExecution = succeeded.find((a) => a.kind === 'fresh')?.plan.id
  const stored = executions.find((e) => e.plan.id === storedExecution)
  const after = stored === undefined ? [] : executions.filter((e) => e.id > stored.id)
  if (after.length > 0) {
    totals.doubleEffects += after.length
    problems.push(`${scope}: ${after.length} body run(s) after its answer was stored`)
  }
  if (succeeded.length > 0 && probe?.kind !== 'replay') {
    totals.lostRecords++
    problems.push(`${scope}: succeeded before, but the probe after every lease got ${probe?.kind}`)
  }
  if (probe?.result !== undefined && answered.size > 0 && !answered.has(probe.result.execution))
    problems.push(`${scope}: the probe replayed another execution than the one answered`)
  const charged = executions.filter((e) => e.charged)
  const ledger = charged[0] && (await ledgerRequests(client, ledgerTableName, charged[0].gatewayKey))
  if (charged.length > 0 && ledger !== charged.length)
    problems.push(`${scope}: the ledger counts ${ledger} charge calls, the bodies made ${charged.length}`)
  if (new Set(charged.map((e) => e.gatewayKey)).size > 1) {
    totals.doubleEffects++
    problems.push(`${scope}: bodies charged under different gateway keys`)
  }
  return problems
}

async function ledgerRequests(client: DynamoDBClient, TableName: string, gatewayKey: string) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName,
      Key: { [GATEWAY_LEDGER_PARTITION_KEY]: { S: gatewayKey } },
      ConsistentRead: true,
    }),
  )
  return Number(Item?.requests?.N ?? 0)
}
