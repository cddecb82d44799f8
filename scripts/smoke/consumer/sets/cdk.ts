import { App, Stack } from 'aws-cdk-lib'
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda'
import { IdempotencyDashboard, IdempotencyTable } from 'lambda-idempotency/cdk'

// The CDK app: the table, a function connected to it, and the dashboard. No AWS SDK installed.
const stack = new Stack(new App(), 'Payments')
const table = new IdempotencyTable(stack, 'Idempotency')
const fn = new LambdaFunction(stack, 'Pay', {
  runtime: Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: Code.fromInline('exports.handler = async () => ({})'),
})
table.connect(fn)

export const dashboard = new IdempotencyDashboard(stack, 'Dashboard', {
  table,
  functions: [fn],
  metricsNamespace: 'payments',
  serviceNames: ['payments'],
})
