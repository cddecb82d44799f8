import { App, Validations } from 'aws-cdk-lib'
import { PaymentsStack } from '../../infra/payments-stack.js'
import { cdkJsonContext } from './cdk-template.js'
import { RecordingAwsSolutionsChecks } from './nag.js'

/**
 * The sample stack as `cdk synth` builds it, with placeholder function code (bundling is proven in
 * test/cdk/payments-bundle.test.ts, so these tests stay fast) and cdk-nag's AwsSolutions checks recording what they
 * find: synthesis throws on any unacknowledged error.
 */
export function nagCheckedPaymentsStack() {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } })
  const stack = new PaymentsStack(app, 'Payments')
  const nag = new RecordingAwsSolutionsChecks(app)
  Validations.of(app).addPlugins(nag)
  return { app, stack, nag }
}
