import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { Code, type IFunction, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda'
import {
  IdempotencyDashboard,
  type IdempotencyDashboardProps,
  IdempotencyTable,
  type IIdempotencyTable,
} from '../../lib/cdk/index.js'
import { type DashboardWidget, dashboardWidgets } from './cdk-template.js'

/** One graphed row of a widget: a metric with its dimensions, or a math expression. */
export interface GraphRow {
  readonly namespace?: string
  readonly metricName?: string
  readonly dimensions: Record<string, string>
  readonly expression?: string
  readonly options: { readonly id?: string; readonly stat?: string; readonly label?: string }
}

/** A dashboard `metrics` row as an object, so tests need not know CloudWatch's positional order. */
export function graphRow(row: unknown[]): GraphRow {
  const last = row.at(-1)
  const options = (typeof last === 'object' && last !== null ? last : {}) as GraphRow['options'] & {
    expression?: string
  }
  if (options.expression !== undefined) return { dimensions: {}, expression: options.expression, options }
  const [namespace, metricName, ...rest] = row as string[]
  const pairs = typeof last === 'object' ? rest.slice(0, -1) : rest
  const dimensions: Record<string, string> = {}
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string
  return { namespace, metricName, dimensions, options }
}

export const rowsOf = (widget: DashboardWidget): GraphRow[] => (widget.properties.metrics ?? []).map(graphRow)

export interface DashboardFixture {
  readonly stack: Stack
  readonly dashboard: IdempotencyDashboard
  readonly table: IIdempotencyTable
  readonly functions: IFunction[]
  template(): Template
  widgets(): DashboardWidget[]
}

type PropsOverride = Partial<IdempotencyDashboardProps>

/**
 * A stack with an idempotency table, two functions (services `charge` and `fulfil` in namespace `Shop`) and a
 * dashboard over them. `props` overrides any prop; as a function it can first add constructs to the stack.
 */
export function dashboardFixture(
  props: PropsOverride | ((stack: Stack) => PropsOverride) = {},
): DashboardFixture {
  const stack = new Stack(new App(), 'Test')
  const table = new IdempotencyTable(stack, 'Idem')
  const functions = ['Charge', 'Fulfil'].map(
    (id) =>
      new LambdaFunction(stack, id, {
        runtime: Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: Code.fromInline('exports.handler = async () => ({})'),
      }),
  )
  const dashboard = new IdempotencyDashboard(stack, 'Ops', {
    table,
    functions,
    metricsNamespace: 'Shop',
    serviceNames: ['charge', 'fulfil'],
    ...(typeof props === 'function' ? props(stack) : props),
  })
  return {
    stack,
    dashboard,
    table,
    functions,
    template: () => Template.fromStack(stack),
    widgets: () => dashboardWidgets(Template.fromStack(stack)),
  }
}
