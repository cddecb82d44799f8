import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import { AttributeType, ProjectionType, type Table } from 'aws-cdk-lib/aws-dynamodb'
import { Topic } from 'aws-cdk-lib/aws-sns'
import type { Construct } from 'constructs'
import {
  PAYMENT_DAY_ATTRIBUTE,
  PAYMENTS_BY_DAY_INDEX,
  PAYMENTS_BY_DAY_PROJECTION,
  PAYMENTS_BY_DAY_SORT_KEY,
} from '../functions/shared/daily-totals-schema.js'
import { METRICS_NAMESPACE, SAMPLE_SERVICES } from '../functions/shared/metrics.js'
import {
  GATEWAY_LEDGER_PARTITION_KEY,
  PAYMENTS_ENV,
  PAYMENTS_PARTITION_KEY,
} from '../functions/shared/tables.js'
import { IdempotencyDashboard, IdempotencyTable } from '../lib/cdk/index.js'
import { DailyTotals } from './daily-totals.js'
import { PaymentEvents } from './payment-events.js'
import { paymentFunction } from './payment-function.js'
import { PaymentsApi } from './payments-api.js'
import { Payouts } from './payouts.js'
import { grantItems, sampleTable } from './sample-table.js'

export interface PaymentsStackProps extends StackProps {
  /**
   * An SNS topic the alarms notify, on alarm and on recovery (`cdk deploy -c alarmTopicArn=arn:aws:sns:...`).
   * A topic of your own: its subscriptions (a pager, a chat channel) belong to the team on call, not this stack.
   *
   * @default - alarms show on the dashboard and notify no one
   */
  readonly alarmTopicArn?: string
}

/**
 * The sample payments service: POST /payments and GET /payments/{paymentId} behind an HTTP API with a Cognito JWT
 * authorizer, an idempotency table from this package's construct, the payments table and the simulated
 * gateway's ledger; and its events (PaymentEvents): the outbox create-payment writes each payment's event into,
 * published from the outbox's stream to a queue that fulfil-order consumes; and payouts (Payouts): POST /payouts
 * answers 202 and a durable function pays out once, read back at GET /operations/{id}; and the daily settlement
 * totals (DailyTotals): a scheduled job that replaces one UTC day of per-currency totals, re-runnable for any
 * date. Each function gets exactly the actions its code sends. An IdempotencyDashboard watches the four functions that use the idempotency table.
 */
export class PaymentsStack extends Stack {
  readonly idempotency: IdempotencyTable
  readonly payments: Table
  readonly gatewayLedger: Table
  readonly events: PaymentEvents
  readonly payouts: Payouts
  readonly operations: IdempotencyDashboard
  readonly dailyTotals: DailyTotals

  constructor(scope: Construct, id: string, props: PaymentsStackProps = {}) {
    super(scope, id, props)
    this.idempotency = new IdempotencyTable(this, 'Idempotency')
    this.payments = sampleTable(this, 'Payments', PAYMENTS_PARTITION_KEY, {
      // Payment records are money: kept, like the idempotency table, when the stack goes.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    // The daily totals job reads one UTC day of payments here, never the whole table; the projection is all it
    // reads, so no read goes back to the table, and the index stays small.
    this.payments.addGlobalSecondaryIndex({
      indexName: PAYMENTS_BY_DAY_INDEX,
      partitionKey: { name: PAYMENT_DAY_ATTRIBUTE, type: AttributeType.STRING },
      sortKey: { name: PAYMENTS_BY_DAY_SORT_KEY, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...PAYMENTS_BY_DAY_PROJECTION],
    })
    this.gatewayLedger = sampleTable(this, 'GatewayLedger', GATEWAY_LEDGER_PARTITION_KEY, {
      // The simulated gateway stands in for a third party's books: it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    })

    this.events = new PaymentEvents(this, 'Events', { idempotency: this.idempotency })

    const createPayment = paymentFunction(this, 'CreatePayment', {
      entry: 'functions/create-payment.ts',
      description: 'POST /payments: charges once per Idempotency-Key and caller',
      // More memory buys more CPU on Lambda, which shortens the lease-holding window of every request.
      memorySize: 512,
      // 10 s: the lease is the remaining time, and create-payment waits at most half of it for a twin.
      timeout: Duration.seconds(10),
      environment: {
        [PAYMENTS_ENV.paymentsTable]: this.payments.tableName,
        [PAYMENTS_ENV.gatewayLedgerTable]: this.gatewayLedger.tableName,
        [PAYMENTS_ENV.outboxTable]: this.events.outbox.tableName,
      },
    })
    this.idempotency.connect(createPayment)
    // An earlier payment under the same key is read; the new one is put inside the completion transaction.
    grantItems(this.payments, createPayment, 'dynamodb:GetItem', 'dynamodb:PutItem')
    // The gateway's conditional put of a charge, and its counter of repeated calls.
    this.gatewayLedger.grant(createPayment, 'dynamodb:PutItem', 'dynamodb:UpdateItem')
    // The payment's event, put inside the same completion transaction as the payment.
    this.events.outbox.grant(createPayment, 'dynamodb:PutItem')

    const getPayment = paymentFunction(this, 'GetPayment', {
      entry: 'functions/get-payment.ts',
      description: 'GET /payments/{paymentId}: the payment, for its owner only',
      memorySize: 256,
      // One GetItem: 5 s already allows for a cold start and the SDK's retries.
      timeout: Duration.seconds(5),
      environment: { [PAYMENTS_ENV.paymentsTable]: this.payments.tableName },
    })
    grantItems(this.payments, getPayment, 'dynamodb:GetItem')

    this.dailyTotals = new DailyTotals(this, 'DailyTotals', {
      idempotency: this.idempotency,
      payments: this.payments,
    })

    this.payouts = new Payouts(this, 'Payouts', { idempotency: this.idempotency })

    this.operations = new IdempotencyDashboard(this, 'Operations', {
      table: this.idempotency,
      functions: [createPayment, this.events.consumer, this.payouts.createPayout, this.payouts.workflow],
      metricsNamespace: METRICS_NAMESPACE,
      serviceNames: [
        SAMPLE_SERVICES.createPayment,
        SAMPLE_SERVICES.fulfilOrder,
        SAMPLE_SERVICES.createPayout,
      ],
      alarmTopic: props.alarmTopicArn
        ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
        : undefined,
    })

    const api = new PaymentsApi(this, 'Api', {
      createPayment,
      getPayment,
      createPayout: this.payouts.createPayout,
      getOperation: this.payouts.getOperation,
    })
    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the payments API' })
    new CfnOutput(this, 'UserPoolId', { value: api.userPool.userPoolId })
    new CfnOutput(this, 'UserPoolClientId', { value: api.userPoolClient.userPoolClientId })
    new CfnOutput(this, 'DailyTotalsJob', {
      value: this.dailyTotals.live.functionArn,
      description:
        'The daily totals job, to invoke for a date: aws lambda invoke --function-name <this> (docs/cdk.md)',
    })
  }
}
