import type { Duration } from 'aws-cdk-lib'
import type { TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITable } from 'aws-cdk-lib/aws-dynamodb'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import type { ITopic } from 'aws-cdk-lib/aws-sns'
import type { IIdempotencyTable } from './idempotency-table-base.js'

/**
 * One alarm's settings. Each alarm watches one outcome count of one service, as a Sum over `period`, and
 * fires at `threshold` or more in `datapointsToAlarm` of the last `evaluationPeriods` periods.
 */
export interface OutcomeAlarmOptions {
  /** Create this alarm at all. @default true */
  readonly enabled?: boolean
  /** Count per period at which the alarm fires (greater than or equal). @default 1 */
  readonly threshold?: number
  /** @default - 1 minute for store errors, 5 minutes for the others (see `OUTCOME_ALARM_DEFAULTS`) */
  readonly period?: Duration
  /** @default - 5 for store errors, 1 for the others */
  readonly evaluationPeriods?: number
  /** @default - 2 for store errors, 1 for the others */
  readonly datapointsToAlarm?: number
  /**
   * A function that published no count in a period had no such outcome in it: EMF writes nothing for
   * nothing. Missing data therefore counts as healthy.
   *
   * @default TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: TreatMissingData
}

/** The alarms `IdempotencyDashboard` creates per service, each adjustable or off (`enabled: false`). */
export interface IdempotencyAlarmsOptions {
  /** StoreErrors: DynamoDB calls failing after the SDK's retries. */
  readonly storeErrors?: OutcomeAlarmOptions
  /** LeaseLost: an attempt outlived its lease; two attempts ran one key. */
  readonly leaseLost?: OutcomeAlarmOptions
  /** ResultsNotStored: a result too large or not serialisable; its retries get an error. */
  readonly resultNotStored?: OutcomeAlarmOptions
  /** TimedOut: Middy's early timeout answered while the handler still ran. */
  readonly timedOut?: OutcomeAlarmOptions
}

export interface IdempotencyDashboardProps {
  /** The idempotency table the functions use as their store: its latency, throttles and system errors. */
  readonly table: IIdempotencyTable | ITable
  /** The functions wrapped by the toolkit: each one's Duration p99 and its Errors and Throttles. */
  readonly functions: readonly IFunction[]
  /** The CloudWatch namespace the functions publish their outcome counts in (Powertools' `namespace`). */
  readonly metricsNamespace: string
  /**
   * The values of the service dimension the functions publish under (Powertools' `serviceName`): one line per
   * service on every outcome graph, and one set of alarms per service. At least one.
   */
  readonly serviceNames: readonly string[]
  /** The name of the service dimension. @default 'service' (`SERVICE_DIMENSION`, what Powertools writes) */
  readonly serviceDimension?: string
  /**
   * Further dimensions every outcome metric carries, such as Powertools' `defaultDimensions`: CloudWatch
   * matches a metric only on its whole set of dimensions.
   *
   * @default - none
   */
  readonly defaultDimensions?: Readonly<Record<string, string>>
  /** @default - a name CloudFormation generates */
  readonly dashboardName?: string
  /** Adjust or turn off individual alarms. @default - every alarm, with `OUTCOME_ALARM_DEFAULTS` */
  readonly alarms?: IdempotencyAlarmsOptions
  /**
   * Notified when an alarm fires and when it recovers. More actions can be added to each of `alarms`.
   *
   * @default - no notification
   */
  readonly alarmTopic?: ITopic
  /**
   * Where the dashboard and each alarm description send the reader for the full runbook.
   *
   * @default - docs/operations.md in this package's repository
   */
  readonly runbookUrl?: string
}
