import { Duration } from 'aws-cdk-lib'
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import type { ITopic } from 'aws-cdk-lib/aws-sns'
import type { Construct } from 'constructs'
import { OUTCOME_METRIC_NAMES } from '../metric-names.js'
import type { IdempotencyOutcomeType } from '../options.js'
import type { IdempotencyAlarmsOptions, OutcomeAlarmOptions } from './dashboard-props.js'
import { OUTCOME_GUIDE } from './outcome-guide.js'

/** The outcome each alarm option watches. */
export const ALARMED_OUTCOMES: Readonly<Record<keyof IdempotencyAlarmsOptions, IdempotencyOutcomeType>> = {
  storeErrors: 'store-error',
  leaseLost: 'lease-lost',
  resultNotStored: 'result-not-stored',
  timedOut: 'timed-out',
}

/** One alarm's settings, every field resolved. */
export type AlarmSettings = Required<Omit<OutcomeAlarmOptions, 'enabled'>>

/** Any one occurrence fires: counts of events that should not happen at all. */
const ON_FIRST = { threshold: 1, treatMissingData: TreatMissingData.NOT_BREACHING }
/**
 * LeaseLost, ResultsNotStored and TimedOut should never happen: each is a duplicate run, a lost answer or a
 * key held past its answer, so one is worth a look. Five minutes folds a burst into one notification.
 */
const CORRECTNESS_WINDOW = {
  ...ON_FIRST,
  period: Duration.minutes(5),
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
}

/**
 * Every alarm's defaults. StoreErrors fires on errors in 2 of the last 5 minutes: one failed call after the
 * SDK's retries is often a blip the client's own retry absorbs (it was told 503 with Retry-After); errors in two
 * separate minutes are an outage under way, paged about two minutes in.
 */
export const OUTCOME_ALARM_DEFAULTS: Readonly<Record<keyof IdempotencyAlarmsOptions, AlarmSettings>> = {
  storeErrors: { ...ON_FIRST, period: Duration.minutes(1), evaluationPeriods: 5, datapointsToAlarm: 2 },
  leaseLost: CORRECTNESS_WINDOW,
  resultNotStored: CORRECTNESS_WINDOW,
  timedOut: CORRECTNESS_WINDOW,
}

/** CloudWatch keeps at most this many characters of an alarm description. */
const MAX_DESCRIPTION_LENGTH = 1024

export interface OutcomeAlarmsConfig {
  readonly serviceNames: readonly string[]
  readonly metricOf: (type: IdempotencyOutcomeType, service: string) => Metric
  readonly options?: IdempotencyAlarmsOptions
  readonly alarmTopic?: ITopic
  readonly runbookUrl: string
}

/** What the notification says: the service, what the count means, what to check first, and the runbook. */
function describe(type: IdempotencyOutcomeType, service: string, runbookUrl: string): string {
  const name = OUTCOME_METRIC_NAMES[type]
  const guide = OUTCOME_GUIDE[type]
  const text = `${name} (${type}) in ${service}. ${guide.meaning} First check: ${guide.whenItMoves} Runbook: ${runbookUrl}#${name.toLowerCase()}`
  return text.slice(0, MAX_DESCRIPTION_LENGTH)
}

/** One alarm per alarmed outcome per service, each with its defaults overridden by `options`. */
export function createOutcomeAlarms(scope: Construct, config: OutcomeAlarmsConfig): Alarm[] {
  const action = config.alarmTopic && new SnsAction(config.alarmTopic)
  const alarms: Alarm[] = []
  for (const [option, type] of Object.entries(ALARMED_OUTCOMES) as [
    keyof IdempotencyAlarmsOptions,
    IdempotencyOutcomeType,
  ][]) {
    const { enabled = true, ...overrides } = config.options?.[option] ?? {}
    if (!enabled) continue
    const settings: AlarmSettings = { ...OUTCOME_ALARM_DEFAULTS[option], ...withoutUndefined(overrides) }
    if (settings.datapointsToAlarm > settings.evaluationPeriods)
      throw new Error(
        `alarms.${option}: datapointsToAlarm (${settings.datapointsToAlarm}) cannot exceed evaluationPeriods ` +
          `(${settings.evaluationPeriods}); raise evaluationPeriods or lower datapointsToAlarm.`,
      )
    for (const service of config.serviceNames) {
      // Named by service, not position: reordering the services must not replace their alarms.
      const alarm = new Alarm(scope, `${OUTCOME_METRIC_NAMES[type]}Alarm-${service}`, {
        metric: config.metricOf(type, service).with({ period: settings.period }),
        threshold: settings.threshold,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapointsToAlarm,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: settings.treatMissingData,
        alarmDescription: describe(type, service, config.runbookUrl),
      })
      if (action) {
        alarm.addAlarmAction(action)
        alarm.addOkAction(action)
      }
      alarms.push(alarm)
    }
  }
  return alarms
}

/** `{ period: undefined }` must not erase a default when spread over it. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
