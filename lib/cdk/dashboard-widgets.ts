import { Duration } from 'aws-cdk-lib'
import { GraphWidget, type IMetric, MathExpression, type Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITable } from 'aws-cdk-lib/aws-dynamodb'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { OUTCOME_METRIC_NAMES } from '../metric-names.js'
import type { IdempotencyOutcomeType } from '../options.js'
import { IDEMPOTENCY_STORE_ACTIONS } from './store-actions.js'

/** One minute: the finest period EMF and DynamoDB metrics have, and the unit every rate is shown in. */
export const GRAPH_PERIOD = Duration.minutes(1)
const PER_MINUTE = 'per minute'

/**
 * The DynamoDB operations the store sends to the idempotency table: its IAM actions (one list, tested against
 * the calls it makes), plus TransactWriteItems, which completes a result together with the handler's own writes.
 */
export const STORE_OPERATIONS = [
  ...IDEMPOTENCY_STORE_ACTIONS.map((action) => action.replace('dynamodb:', '')),
  'TransactWriteItems',
]

/**
 * A count as a rate per minute, whatever period the dashboard picks when zoomed out (CloudWatch's automatic
 * period would otherwise turn a per-minute Sum into a per-hour one under the same label). FILL draws a quiet
 * minute as 0 rather than a gap: EMF publishes no count when nothing happened.
 */
function perMinute(metric: Metric, id: string, label: string): MathExpression {
  return new MathExpression({
    expression: `60 * FILL(${id}, 0) / PERIOD(${id})`,
    usingMetrics: { [id]: metric },
    label,
    period: GRAPH_PERIOD,
  })
}

function graph(title: string, left: IMetric[], width: number, yAxisLabel: string): GraphWidget {
  return new GraphWidget({
    title,
    left,
    width,
    height: 6,
    leftYAxis: { label: yAxisLabel, min: 0, showUnits: false },
  })
}

/**
 * One outcome's count per minute, a line per service. What each graph means and what to do when it moves is
 * `OUTCOME_GUIDE[type]`; the dashboard prints that guide below the graphs.
 */
export function outcomeGraph(
  type: IdempotencyOutcomeType,
  perService: readonly { readonly service: string; readonly metric: Metric }[],
  width: number,
): GraphWidget {
  const lines = perService.map(({ service, metric }, index) => perMinute(metric, `m${index}`, service))
  return graph(`${OUTCOME_METRIC_NAMES[type]} per minute (${type})`, lines, width, PER_MINUTE)
}

/**
 * Each function's Duration p99, in milliseconds. A lease lasts the invocation's remaining time plus 2 s, so a
 * p99 climbing towards the function's timeout foretells TimedOut and LeaseLost, and more Conflicts (retries
 * meeting a twin still running). When it climbs: the slowest dependency the handler calls, then cold starts.
 */
export function durationGraph(functions: readonly IFunction[], width: number): GraphWidget {
  const lines = functions.map((fn) =>
    fn.metricDuration({ statistic: Stats.p(99), period: GRAPH_PERIOD, label: fn.node.id }),
  )
  return graph('Function Duration p99 (ms)', lines, width, 'milliseconds')
}

/**
 * Each function's Errors and Throttles per minute. Errors the handler threw released their keys (KeysReleased),
 * so retries run again; errors before the claim (a store outage) show as StoreErrors too. Throttles never reach
 * the handler: the caller's retries arrive later, as Replays or fresh Executions. When they rise: the function's
 * logs for Errors, its reserved and account concurrency for Throttles.
 */
export function functionErrorsGraph(functions: readonly IFunction[], width: number): GraphWidget {
  const lines = functions.flatMap((fn, index) => [
    perMinute(fn.metricErrors({ period: GRAPH_PERIOD }), `e${index}`, `${fn.node.id} errors`),
    perMinute(fn.metricThrottles({ period: GRAPH_PERIOD }), `t${index}`, `${fn.node.id} throttles`),
  ])
  return graph('Function Errors and Throttles per minute', lines, width, PER_MINUTE)
}

/**
 * The idempotency table's SuccessfulRequestLatency p99 per store call, in milliseconds: every request pays a
 * PutItem to claim and an UpdateItem (or TransactWriteItems) to complete, so this is the toolkit's own share of
 * each request's latency. Single-digit milliseconds is normal; when it rises, check the table's throttles below
 * and the AWS Health Dashboard for DynamoDB in the region.
 */
export function tableLatencyGraph(table: ITable, width: number): GraphWidget {
  const lines = STORE_OPERATIONS.map((operation) =>
    table.metricSuccessfulRequestLatency({
      dimensionsMap: { Operation: operation },
      statistic: Stats.p(99),
      period: GRAPH_PERIOD,
      label: operation,
    }),
  )
  return graph('Idempotency table latency p99 (ms)', lines, width, 'milliseconds')
}

/**
 * The idempotency table's ThrottledRequests or SystemErrors per store call, per minute. The SDK retries both,
 * so a few cost latency only; once its retries run out they surface as StoreErrors and refused requests.
 * Throttles on an on-demand table mean a hot key or a burst beyond twice the previous peak; on a provisioned
 * table, too little capacity. System errors are DynamoDB's own: check the AWS Health Dashboard.
 */
export function tableCountGraph(
  table: ITable,
  metricName: 'ThrottledRequests' | 'SystemErrors',
  width: number,
): GraphWidget {
  const lines = STORE_OPERATIONS.map((operation, index) =>
    perMinute(
      table.metric(metricName, {
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: Stats.SUM,
        period: GRAPH_PERIOD,
      }),
      `d${index}`,
      operation,
    ),
  )
  return graph(`Idempotency table ${metricName} per minute`, lines, width, PER_MINUTE)
}
