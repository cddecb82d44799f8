import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  Metric,
  type MetricOptions,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch'
import type { ITable } from 'aws-cdk-lib/aws-dynamodb'
import { Construct } from 'constructs'
import { OUTCOME_METRIC_NAMES, SERVICE_DIMENSION } from '../metric-names.js'
import type { IdempotencyOutcomeType } from '../options.js'
import type { IdempotencyDashboardProps } from './dashboard-props.js'
import {
  durationGraph,
  functionErrorsGraph,
  GRAPH_PERIOD,
  outcomeGraph,
  tableCountGraph,
  tableLatencyGraph,
} from './dashboard-widgets.js'
import type { IIdempotencyTable } from './idempotency-table-base.js'
import { ALARMED_OUTCOMES, createOutcomeAlarms } from './outcome-alarms.js'
import { OUTCOME_GUIDE } from './outcome-guide.js'

/** The runbook this package ships: what each alarm means and the first thing to check. */
export const DEFAULT_RUNBOOK_URL =
  'https://github.com/lambda-idempotency/lambda-idempotency/blob/main/docs/operations.md'

/** Dashboard rows of outcome graphs: the alarmed incidents first, then traffic, then what was not done. */
const INCIDENT_OUTCOMES = Object.values(ALARMED_OUTCOMES)
const TRAFFIC_OUTCOMES: IdempotencyOutcomeType[] = ['fresh', 'replay', 'conflict']
const UNDONE_OUTCOMES: IdempotencyOutcomeType[] = ['released', 'mismatch']

/** CloudWatch dashboards are 24 units wide. */
const FULL_WIDTH = 24

/**
 * A CloudWatch dashboard and alarms for functions made idempotent by this toolkit, read from the outcome counts
 * they publish (one metric per outcome, named by `OUTCOME_METRIC_NAMES`, per service) and from the Lambda and
 * DynamoDB metrics of the functions and the idempotency table.
 *
 * From the top: the alarms' states; the four incident outcomes (StoreErrors, LeaseLost, ResultsNotStored,
 * TimedOut), each alarmed per service; the traffic the toolkit absorbed (Executions, Replays, Conflicts); work
 * not done (KeysReleased, PayloadMismatches) beside the functions' Errors and Throttles; the functions' Duration
 * p99 and the table's latency p99 per store call; the table's throttles and system errors; and the guide to
 * every outcome graph (`OUTCOME_GUIDE`). Counts are rates per minute; latencies are p99 in milliseconds.
 */
export class IdempotencyDashboard extends Construct {
  readonly dashboard: Dashboard
  /** Every alarm created, in the order StoreErrors, LeaseLost, ResultsNotStored, TimedOut, then by service. */
  readonly alarms: readonly Alarm[]
  private readonly props: IdempotencyDashboardProps

  constructor(scope: Construct, id: string, props: IdempotencyDashboardProps) {
    super(scope, id)
    if (props.serviceNames.length === 0)
      throw new Error(
        'IdempotencyDashboard: serviceNames is empty; name at least one service the functions publish under.',
      )
    const duplicates = props.serviceNames.filter((name, index) => props.serviceNames.indexOf(name) !== index)
    if (duplicates.length > 0)
      throw new Error(`IdempotencyDashboard: serviceNames lists ${duplicates.join(', ')} more than once.`)
    this.props = props
    const table = tableOf(props.table)
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL

    this.alarms = createOutcomeAlarms(this, {
      serviceNames: props.serviceNames,
      metricOf: (type, service) => this.metricOutcome(type, service),
      options: props.alarms,
      alarmTopic: props.alarmTopic,
      runbookUrl,
    })

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName })
    this.dashboard.addWidgets(
      new TextWidget({ markdown: this.header(runbookUrl), width: FULL_WIDTH, height: 2 }),
    )
    if (this.alarms.length > 0)
      this.dashboard.addWidgets(
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: FULL_WIDTH, height: 3 }),
      )
    this.dashboard.addWidgets(...this.outcomeGraphs(INCIDENT_OUTCOMES, 6))
    this.dashboard.addWidgets(...this.outcomeGraphs(TRAFFIC_OUTCOMES, 8))
    this.dashboard.addWidgets(
      ...this.outcomeGraphs(UNDONE_OUTCOMES, 8),
      functionErrorsGraph(props.functions, 8),
    )
    this.dashboard.addWidgets(durationGraph(props.functions, 12), tableLatencyGraph(table, 12))
    this.dashboard.addWidgets(
      tableCountGraph(table, 'ThrottledRequests', 12),
      tableCountGraph(table, 'SystemErrors', 12),
    )
    this.dashboard.addWidgets(
      new TextWidget({ markdown: guideMarkdown(runbookUrl), width: FULL_WIDTH, height: 12 }),
    )
  }

  /**
   * One outcome's count for one service, as the functions publish it: a Sum per minute, in `metricsNamespace`,
   * with the service dimension and any `defaultDimensions`. For graphs and alarms of your own.
   */
  metricOutcome(type: IdempotencyOutcomeType, serviceName: string, options: MetricOptions = {}): Metric {
    return new Metric({
      namespace: this.props.metricsNamespace,
      metricName: OUTCOME_METRIC_NAMES[type],
      dimensionsMap: {
        ...this.props.defaultDimensions,
        [this.props.serviceDimension ?? SERVICE_DIMENSION]: serviceName,
      },
      statistic: Stats.SUM,
      period: GRAPH_PERIOD,
      ...options,
    })
  }

  private outcomeGraphs(types: readonly IdempotencyOutcomeType[], width: number) {
    return types.map((type) =>
      outcomeGraph(
        type,
        this.props.serviceNames.map((service) => ({ service, metric: this.metricOutcome(type, service) })),
        width,
      ),
    )
  }

  private header(runbookUrl: string): string {
    const services = this.props.serviceNames.map((name) => `\`${name}\``).join(', ')
    return (
      `## Idempotency: ${this.props.metricsNamespace} (${services})\n` +
      `Counts are rates **per minute**, latencies **p99 in milliseconds**. What each graph means and what to do ` +
      `when it moves: the guide at the bottom, and the [runbook](${runbookUrl}).`
    )
  }
}

function tableOf(table: IIdempotencyTable | ITable): ITable {
  return 'grantIdempotency' in table ? table.table : table
}

/** The outcome guide as a markdown table, printed on the dashboard itself. */
function guideMarkdown(runbookUrl: string): string {
  const rows = (Object.keys(OUTCOME_GUIDE) as IdempotencyOutcomeType[]).map((type) => {
    const { meaning, whenItMoves } = OUTCOME_GUIDE[type]
    return `| ${OUTCOME_METRIC_NAMES[type]} (\`${type}\`) | ${meaning} | ${whenItMoves} |`
  })
  return [
    `## What each graph means ([runbook](${runbookUrl}))`,
    '| Metric | One count is | When it moves |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n')
}
