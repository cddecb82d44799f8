import { Duration, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib'
import { AttributeType, type Table } from 'aws-cdk-lib/aws-dynamodb'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { Alias } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import {
  DAILY_TOTALS_ENV,
  DAILY_TOTALS_JOB,
  DAILY_TOTALS_KEYS,
  PAYMENTS_BY_DAY_INDEX,
} from '../functions/shared/daily-totals-schema.js'
import { grantDynamoDBPartitions, type IdempotencyTable } from '../lib/cdk/index.js'
import { IDEMPOTENCY_TABLE_ENV } from '../lib/dynamodb/schema.js'
import { paymentFunction } from './payment-function.js'
import { sampleTable } from './sample-table.js'

/**
 * 00:15 UTC daily. Not 00:00: the quarter hour lets the day's last payments land (a put started at 23:59:59 and
 * retried) and reach the index, which DynamoDB fills asynchronously, before the job reads the day.
 */
export const DAILY_TOTALS_CRON = { minute: '15', hour: '0' } as const
/**
 * 06:15 UTC: yesterday again. A run that dies (out of memory, a runtime crash) holds its day for its lease, 5 min
 * or more; Lambda's two asynchronous retries come about 1 and 2 min after it, find the day busy, and would leave
 * it to the dead-letter queue. Six hours later every lease has ended: a day the first run completed replays (two
 * calls), and a day a dead run held is totalled. It also falls inside the retries' 6 h window of the same day.
 */
export const DAILY_TOTALS_CATCH_UP_CRON = { minute: '15', hour: '6' } as const
/**
 * 6 h, both for Scheduler's retries and Lambda's own asynchronous retries: the job defaults to yesterday (UTC)
 * when invoked without a date, so every retry must still fall on the same UTC day as the schedule (by 12:15 at
 * the latest); a retry the next day would total the wrong date.
 */
const MAX_EVENT_AGE = Duration.hours(6)
/**
 * Scheduler retries only failed deliveries (throttling, Lambda unavailable): the invocation is asynchronous, so
 * the job's own failures are Lambda's to retry (twice), not Scheduler's. A few attempts ride out a bad minute.
 */
const DELIVERY_RETRY_ATTEMPTS = 5
/** 14 days, SQS's maximum: time to notice a day that was never totalled and run it by hand. */
const DEAD_LETTER_RETENTION = Duration.days(14)

export interface DailyTotalsProps {
  readonly idempotency: IdempotencyTable
  /** The payments table, with its `byDay` index (payments-stack.ts adds it). */
  readonly payments: Table
}

/**
 * The daily settlement totals job: once a day, EventBridge Scheduler invokes the job's `live` alias with no date
 * (the job totals yesterday, UTC); backfills invoke it with `{"date":"YYYY-MM-DD"}`. It reads one day's payments
 * through the payments table's `byDay` index (Query on that index only, never a Scan), replaces that day in the
 * reports table with `dynamoDBPartitions`, and records its runs on the idempotency table, so a retried, re-run
 * or backfilled date still leaves one run's rows. A delivery that fails, and a run that fails after Lambda's
 * retries, both land in one encrypted dead-letter queue.
 */
export class DailyTotals extends Construct {
  readonly reports: Table
  readonly job: NodejsFunction
  readonly live: Alias
  readonly failures: Queue
  readonly schedule: Schedule
  /** Yesterday again, six hours later: a replay, unless the first run died holding the day. */
  readonly catchUp: Schedule

  constructor(scope: Construct, id: string, props: DailyTotalsProps) {
    super(scope, id)
    const { idempotency, payments } = props
    this.reports = sampleTable(this, 'Reports', DAILY_TOTALS_KEYS.partitionKey, {
      sortKey: { name: DAILY_TOTALS_KEYS.sortKey, type: AttributeType.STRING },
      // Superseded runs' rows expire; the live run's never carry the attribute.
      timeToLiveAttribute: DAILY_TOTALS_KEYS.ttlAttribute,
      // Derived data: every day can be totalled again from the payments, which are retained.
      removalPolicy: RemovalPolicy.DESTROY,
    })

    this.job = paymentFunction(this, 'Job', {
      entry: 'functions/daily-totals.ts',
      description: `${DAILY_TOTALS_JOB}: one UTC day of succeeded payments, totalled per currency, replaced whole`,
      // The day's payments are paged and summed in memory; more memory also buys CPU for the batch writes.
      memorySize: 512,
      // 5 min: a day's Query pages and a few thousand rows' writes take seconds; the rest is room for throttling
      // backoff. The run's lease is at least the invocation's remaining time, so nothing runs beside it.
      timeout: Duration.minutes(5),
      environment: {
        [DAILY_TOTALS_ENV.paymentsTable]: payments.tableName,
        [DAILY_TOTALS_ENV.reportsTable]: this.reports.tableName,
        [IDEMPOTENCY_TABLE_ENV]: idempotency.tableName,
      },
    })
    // The job's runs: DynamoDBJobStore's claim, completion and release, nothing of the request store's.
    idempotency.grantPipelineJobs(this.job)
    // One day's payments through the index: Query on the index's ARN only, no Scan, nothing on the table.
    this.job.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${payments.tableArn}/index/${PAYMENTS_BY_DAY_INDEX}`],
      }),
    )
    grantDynamoDBPartitions(this.reports, this.job)

    const queueBasics = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true }
    this.failures = new Queue(this, 'Failures', { ...queueBasics, retentionPeriod: DEAD_LETTER_RETENTION })
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter destination of the daily totals schedule and of the job's failed " +
        'asynchronous invocations: each message names a day that was not totalled, for a person to run again ' +
        '(docs/cdk.md). A DLQ behind it would only move those messages again.',
    })

    // The schedule invokes a version through an alias, so its role may invoke that alias and nothing else.
    this.live = new Alias(this, 'JobLive', { aliasName: 'live', version: this.job.currentVersion })
    this.live.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.failures),
    })
    const target = new LambdaInvoke(this.live, {
      // No date: the job defaults to yesterday, UTC. An empty object, not no input: the job's event is JSON.
      input: ScheduleTargetInput.fromObject({}),
      retryAttempts: DELIVERY_RETRY_ATTEMPTS,
      maxEventAge: MAX_EVENT_AGE,
      deadLetterQueue: this.failures,
    })
    this.schedule = new Schedule(this, 'Daily', {
      description: `Runs ${DAILY_TOTALS_JOB} for yesterday (UTC), every day at 00:15 UTC`,
      schedule: ScheduleExpression.cron({ ...DAILY_TOTALS_CRON, timeZone: TimeZone.ETC_UTC }),
      target,
    })
    this.catchUp = new Schedule(this, 'CatchUp', {
      description: `Runs ${DAILY_TOTALS_JOB} for yesterday (UTC) again at 06:15 UTC: a replay, unless a run died holding the day`,
      schedule: ScheduleExpression.cron({ ...DAILY_TOTALS_CATCH_UP_CRON, timeZone: TimeZone.ETC_UTC }),
      target,
    })
  }
}
