import { readFileSync } from 'node:fs'
import { type App, Duration, Validations } from 'aws-cdk-lib'
import type { Template } from 'aws-cdk-lib/assertions'
import { TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { Key } from 'aws-cdk-lib/aws-kms'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { describe, expect, it } from 'vitest'
import { OUTCOME_METRIC_NAMES } from '../../lib/index.js'
import { SERVICE_DIMENSION } from '../../lib/metric-names.js'
import { dashboardWidgets, logicalIdOf } from '../support/cdk-template.js'
import { dashboardFixture } from '../support/dashboard.js'
import { RecordingAwsSolutionsChecks } from '../support/nag.js'

interface AlarmProps {
  readonly MetricName: string
  readonly Namespace: string
  readonly Dimensions: { Name: string; Value: string }[]
  readonly Statistic: string
  readonly Period: number
  readonly Threshold: number
  readonly EvaluationPeriods: number
  readonly DatapointsToAlarm: number
  readonly ComparisonOperator: string
  readonly TreatMissingData: string
  readonly AlarmDescription: string
  readonly AlarmActions?: unknown[]
  readonly OKActions?: unknown[]
}

const alarmsOf = (template: Template): AlarmProps[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties)

const alarmFor = (template: Template, metricName: string, service: string) => {
  const found = alarmsOf(template).filter(
    (alarm) =>
      alarm.MetricName === metricName &&
      alarm.Dimensions.some((d) => d.Name === SERVICE_DIMENSION && d.Value === service),
  )
  expect(found, `${metricName} for ${service}`).toHaveLength(1)
  return found[0] as AlarmProps
}

const ALARMED = {
  [OUTCOME_METRIC_NAMES['store-error']]: { Period: 60, EvaluationPeriods: 5, DatapointsToAlarm: 2 },
  [OUTCOME_METRIC_NAMES['lease-lost']]: { Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1 },
  [OUTCOME_METRIC_NAMES['result-not-stored']]: { Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1 },
  [OUTCOME_METRIC_NAMES['timed-out']]: { Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1 },
}

describe('IdempotencyDashboard alarms by default', () => {
  const template = dashboardFixture().template()

  it.each(Object.entries(ALARMED))(
    'alarms on %s of each service at its first occurrence',
    (metricName, window) => {
      for (const service of ['charge', 'fulfil'])
        expect(alarmFor(template, metricName, service)).toMatchObject({
          Namespace: 'Shop',
          Dimensions: [{ Name: SERVICE_DIMENSION, Value: service }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          // EMF publishes nothing when nothing happened: silence is health, not a broken sensor.
          TreatMissingData: 'notBreaching',
          ...window,
        })
    },
  )

  it('alarms on nothing else: replays, conflicts and mismatches are traffic, not incidents', () => {
    expect(
      alarmsOf(template)
        .map((alarm) => alarm.MetricName)
        .sort(),
    ).toEqual(
      Object.keys(ALARMED)
        .flatMap((name) => [name, name])
        .sort(),
    )
  })

  it('says in each alarm what it means and what to check first, within the 1024 characters CloudWatch keeps', () => {
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmDescription).toMatch(/First check: /)
      expect(alarm.AlarmDescription).toContain('operations.md')
      expect(alarm.AlarmDescription.length).toBeLessThanOrEqual(1024)
    }
  })

  it('links each alarm to the section of docs/operations.md about it', () => {
    const headings = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('#'))
      // GitHub's anchor for a heading of one word: the word in lower case.
      .map((line) => line.replace(/^#+ /, '').toLowerCase())
    for (const alarm of alarmsOf(template)) {
      const anchor = /operations\.md#(\w+)$/.exec(alarm.AlarmDescription)?.[1]
      expect(anchor).toBe(alarm.MetricName.toLowerCase())
      expect(headings).toContain(anchor)
    }
  })

  it('notifies no one unless a topic is given', () => {
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions).toBeUndefined()
      expect(alarm.OKActions).toBeUndefined()
    }
  })

  it("shows every alarm's state at the top of the dashboard", () => {
    const [first, second] = dashboardWidgets(template)
    expect(first?.type).toBe('text')
    expect(second?.properties.alarms).toHaveLength(8)
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'))
    expect(second?.properties.alarms?.map((arn) => arn.replace(/^GetAtt:(.*)\.Arn$/, '$1')).sort()).toEqual(
      alarmIds.sort(),
    )
  })
})

describe('IdempotencyDashboard alarm options', () => {
  it('applies overrides to the alarm they name and leaves the others at their defaults', () => {
    const template = dashboardFixture({
      alarms: {
        storeErrors: {
          threshold: 10,
          period: Duration.minutes(5),
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          treatMissingData: TreatMissingData.MISSING,
        },
      },
    }).template()
    expect(alarmFor(template, 'StoreErrors', 'charge')).toMatchObject({
      Threshold: 10,
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'missing',
    })
    expect(alarmFor(template, 'LeaseLost', 'charge')).toMatchObject({ Threshold: 1, Period: 300 })
  })

  it('leaves out an alarm that is turned off', () => {
    const template = dashboardFixture({ alarms: { timedOut: { enabled: false } } }).template()
    expect(alarmsOf(template).map((alarm) => alarm.MetricName)).not.toContain('TimedOut')
    expect(alarmsOf(template)).toHaveLength(6)
  })

  it('refuses more datapoints to alarm than periods evaluated, naming the alarm', () => {
    expect(() => dashboardFixture({ alarms: { leaseLost: { datapointsToAlarm: 2 } } })).toThrow(/leaseLost/)
  })

  it('notifies the topic when an alarm fires and when it recovers', () => {
    const template = dashboardFixture((stack) => ({ alarmTopic: new Topic(stack, 'Pager') })).template()
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'Pager')
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }])
      expect(alarm.OKActions).toEqual([{ Ref: topicId }])
    }
  })
})

describe('IdempotencyDashboard under cdk-nag AwsSolutions', () => {
  it('synthesizes clean, alarms and topic wiring included, and adds no finding of its own', () => {
    const fixture = dashboardFixture((stack) => {
      const masterKey = new Key(stack, 'PagerKey', { enableKeyRotation: true })
      return { alarmTopic: new Topic(stack, 'Pager', { enforceSSL: true, masterKey }) }
    })
    // The fixture's bare functions are not the subject: their findings are acknowledged, the dashboard's are not.
    for (const fn of fixture.functions)
      Validations.of(fn).acknowledge(
        {
          id: 'AwsSolutions-L1',
          reason: 'Test fixture: a placeholder function, never deployed; its runtime is irrelevant.',
        },
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'Test fixture: the placeholder function keeps the default execution role of aws-cdk-lib.',
        },
      )
    const app = fixture.stack.node.root as App
    const nag = new RecordingAwsSolutionsChecks(app)
    Validations.of(app).addPlugins(nag)
    // Synthesis runs the validation plugins and throws on any unacknowledged error.
    app.synth()
    const own = nag.findings.filter((finding) => finding.construct.node.scopes.includes(fixture.dashboard))
    expect(own.map((f) => `${f.ruleId} on ${f.construct.node.path}`)).toEqual([])
    // The pack did run: it found the fixture's functions.
    expect(nag.findings.length).toBeGreaterThan(0)
  })
})
