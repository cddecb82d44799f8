import { Table } from 'aws-cdk-lib/aws-dynamodb'
import { describe, expect, it } from 'vitest'
import { IDEMPOTENCY_STORE_ACTIONS, IdempotencyDashboard, IdempotencyTable } from '../../lib/cdk/index.js'
import { type IdempotencyOutcomeType, OUTCOME_METRIC_NAMES } from '../../lib/index.js'
import { SERVICE_DIMENSION } from '../../lib/metric-names.js'
import { logicalIdOf } from '../support/cdk-template.js'
import { dashboardFixture, rowsOf } from '../support/dashboard.js'

const OUTCOMES = Object.keys(OUTCOME_METRIC_NAMES) as IdempotencyOutcomeType[]

describe('IdempotencyDashboard outcome graphs', () => {
  const fixture = dashboardFixture()
  const widgets = fixture.widgets()
  const graphOf = (metricName: string) =>
    widgets.filter((widget) => rowsOf(widget).some((row) => row.metricName === metricName))

  it.each(OUTCOMES)(
    'draws one graph for %s, a line per service, read from the namespace and service dimension',
    (type) => {
      const metricName = OUTCOME_METRIC_NAMES[type]
      const [graph, ...others] = graphOf(metricName)
      expect(others).toEqual([])
      const metrics = rowsOf(graph ?? { type: '', width: 0, height: 0, properties: {} }).filter(
        (row) => row.metricName,
      )
      expect(metrics).toEqual(
        ['charge', 'fulfil'].map((service) =>
          expect.objectContaining({
            namespace: 'Shop',
            metricName,
            dimensions: { [SERVICE_DIMENSION]: service },
            options: expect.objectContaining({ stat: 'Sum' }),
          }),
        ),
      )
      expect(graph?.properties.title).toContain(metricName)
    },
  )

  it.each(OUTCOMES)('labels %s as a rate per minute, whatever period the dashboard zooms to', (type) => {
    const [graph] = graphOf(OUTCOME_METRIC_NAMES[type])
    const rows = rowsOf(graph ?? { type: '', width: 0, height: 0, properties: {} })
    const ids = rows.filter((row) => row.metricName).map((row) => row.options.id)
    const expressions = rows.filter((row) => row.expression !== undefined)
    // Each line is the count scaled by its own period: per minute at 1 min, 5 min or 1 h alike.
    expect(expressions.map((row) => row.expression)).toEqual(
      ids.map((id) => `60 * FILL(${id}, 0) / PERIOD(${id})`),
    )
    expect(expressions.map((row) => row.options.label)).toEqual(['charge', 'fulfil'])
    expect(graph?.properties.title).toMatch(/per minute/)
    expect(graph?.properties.yAxis?.left?.label).toBe('per minute')
  })

  it('reads Powertools default dimensions and another service dimension name when given them', () => {
    const widgets = dashboardFixture({
      serviceDimension: 'Service',
      defaultDimensions: { environment: 'prod' },
    }).widgets()
    const storeErrors = widgets
      .flatMap(rowsOf)
      .filter((row) => row.metricName === OUTCOME_METRIC_NAMES['store-error'])
    expect(storeErrors.map((row) => row.dimensions)).toEqual([
      { environment: 'prod', Service: 'charge' },
      { environment: 'prod', Service: 'fulfil' },
    ])
  })

  it('refuses an empty list of services, naming the prop', () => {
    expect(() => dashboardFixture({ serviceNames: [] })).toThrow(/serviceNames/)
  })
})

describe('IdempotencyDashboard function and table graphs', () => {
  const fixture = dashboardFixture()
  const template = fixture.template()
  const rows = fixture.widgets().flatMap(rowsOf)
  const tableRef = `Ref:${logicalIdOf(template, 'AWS::DynamoDB::Table', 'IdemTable')}`

  it("draws each function's Duration p99", () => {
    const durations = rows.filter((row) => row.namespace === 'AWS/Lambda' && row.metricName === 'Duration')
    expect(durations.map((row) => [row.dimensions.FunctionName, row.options.stat])).toEqual([
      [`Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'Charge')}`, 'p99'],
      [`Ref:${logicalIdOf(template, 'AWS::Lambda::Function', 'Fulfil')}`, 'p99'],
    ])
  })

  it("draws the table's p99 latency for every call the store makes", () => {
    const latencies = rows.filter((row) => row.metricName === 'SuccessfulRequestLatency')
    expect(
      latencies.every((row) => row.dimensions.TableName === tableRef && row.options.stat === 'p99'),
    ).toBe(true)
    // The store's IAM actions (pinned to its real calls by store-actions.test.ts), plus its transaction.
    expect(latencies.map((row) => row.dimensions.Operation).sort()).toEqual(
      [
        ...IDEMPOTENCY_STORE_ACTIONS.map((action) => action.replace('dynamodb:', '')),
        'TransactWriteItems',
      ].sort(),
    )
  })

  it.each(['ThrottledRequests', 'SystemErrors'])("draws the table's %s per store call", (metricName) => {
    const counted = rows.filter((row) => row.namespace === 'AWS/DynamoDB' && row.metricName === metricName)
    expect(counted).toHaveLength(IDEMPOTENCY_STORE_ACTIONS.length + 1)
    for (const row of counted) {
      expect(row.dimensions.TableName).toBe(tableRef)
      expect(row.options.stat).toBe('Sum')
    }
  })

  it('takes an imported idempotency table or a plain DynamoDB table', () => {
    for (const build of [
      (f: ReturnType<typeof dashboardFixture>) => IdempotencyTable.fromTableName(f.stack, 'Imported', 'idem'),
      (f: ReturnType<typeof dashboardFixture>) => Table.fromTableName(f.stack, 'Plain', 'idem'),
    ]) {
      const fixture = dashboardFixture()
      new IdempotencyDashboard(fixture.stack, 'Other', {
        table: build(fixture),
        functions: fixture.functions,
        metricsNamespace: 'Shop',
        serviceNames: ['charge'],
      })
      const dashboards = fixture.template().findResources('AWS::CloudWatch::Dashboard')
      expect(JSON.stringify(dashboards)).toContain('\\"TableName\\",\\"idem\\"')
    }
  })
})
