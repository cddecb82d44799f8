import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { PaymentsStack } from './payments-stack.js'

const app = new App()
new PaymentsStack(app, 'LambdaIdempotencyPayments', {
  description: 'lambda-idempotency sample: payments API charged once per Idempotency-Key',
  alarmTopicArn: app.node.tryGetContext('alarmTopicArn'),
})
// cdk-nag runs on every synth: an unacknowledged AwsSolutions error fails `npm run synth` and `cdk deploy`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
