import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { SAMPLE_SERVICES } from '../../functions/shared/metrics.js'
import { observability } from '../../functions/shared/observability.js'
import { PaymentsStack } from '../../infra/payments-stack.js'
import { type IdempotencyOutcomeType, OUTCOME_METRIC_NAMES } from '../../lib/index.js'
import { cdkJsonContext, dashboardWidgets, logicalIdOf } from '../support/cdk-template.js'
import { rowsOf } from '../support/dashboard.js'

// Bundling is proven in payments-bundle.test.ts; placeholder code keeps this file fast.
const sampleApp = () => new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } })
const template = Template.fromStack(new PaymentsStack(sampleApp(), 'Payments'))

/** What the sample's functions really write: the EMF directive of one count of each outcome. */
function publishedBy(service: string) {
  const { metrics } = observability(service)
  for (const type of Object.keys(OUTCOME_METRIC_NAMES) as IdempotencyOutcomeType[])
    metrics.addMetric(OUTCOME_METRIC_NAMES[type], 'Count', 1)
  const emf = metrics.serializeMetrics()
  const [directive] = emf._aws.CloudWatchMetrics
  const dimensions = Object.fromEntries(
    (directive?.Dimensions.flat() ?? []).map((name) => [name, String(emf[name as keyof typeof emf])]),
  )
  return directive?.Metrics.map((metric) => ({
    namespace: directive.Namespace,
    metricName: metric.Name,
    dimensions,
  }))
}

describe('PaymentsStack dashboard and alarms', () => {
  const rows = dashboardWidgets(template).flatMap(rowsOf)

  it.each(Object.values(SAMPLE_SERVICES))(
    'graphs every metric %s publishes, under the namespace and dimensions it publishes them with',
    (service) => {
      const published = publishedBy(service) ?? []
      expect(published).toHaveLength(Object.keys(OUTCOME_METRIC_NAMES).length)
      for (const metric of published) expect(rows).toContainEqual(expect.objectContaining(metric))
    },
  )

  it("graphs the Duration p99 of the four functions that use the idempotency table, and the table's latency", () => {
    const functions = rows
      .filter((row) => row.metricName === 'Duration')
      .map((row) => row.dimensions.FunctionName)
    expect(functions).toEqual([
      `Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'CreatePayment')}`,
      `Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'EventsFulfilOrder')}`,
      `Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'PayoutsCreatePayout')}`,
      `Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'PayoutsWorkflow')}`,
    ])
    const tables = new Set(
      rows.filter((row) => row.namespace === 'AWS/DynamoDB').map((row) => row.dimensions.TableName),
    )
    expect([...tables]).toEqual([`Ref:${logicalIdOf(template, 'AWS::DynamoDB::Table', 'Idempotency')}`])
  })

  it('alarms on the four incident outcomes of each service, notifying no one by default', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    expect(alarms).toHaveLength(4 * Object.keys(SAMPLE_SERVICES).length)
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined()
  })

  it('notifies the topic it is given (`cdk deploy -c alarmTopicArn=...`), on alarm and on recovery', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:payments-pager'
    const stack = new PaymentsStack(sampleApp(), 'Paged', { alarmTopicArn: arn })
    for (const alarm of Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')))
      expect(alarm.Properties).toMatchObject({ AlarmActions: [arn], OKActions: [arn] })
  })
})
