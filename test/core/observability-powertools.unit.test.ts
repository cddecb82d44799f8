import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { describe, expect, it, vi } from 'vitest'
import { observability, observed } from '../../functions/shared/observability.js'
import { httpIdempotency } from '../../lib/http/index.js'
import { type IdempotencyOutcome, InMemoryStore, idempotency } from '../../lib/index.js'
import { httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

const silent = { warn: () => {} }
const context = () => lambdaContext() as unknown as Context

/** Each publish as the metric names it carried, instead of EMF lines on stdout. */
function publishedNames(metrics: Metrics): string[][] {
  const published: string[][] = []
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    const emf = metrics.serializeMetrics()
    published.push(emf._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((m) => m.Name)))
    metrics.clearMetrics()
    return metrics
  })
  return published
}

const counting = (metrics: Metrics) => (outcome: IdempotencyOutcome) =>
  metrics.addMetric(outcome.type, MetricUnit.Count, 1)

describe('Powertools middlewares registered before ours still publish on a replay', () => {
  it('the core middleware runs their cleanup before answering a replay early', async () => {
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'core' })
    const published = publishedNames(metrics)
    const handler = middy(async (event: { id: string }) => event.id)
      .use(logMetrics(metrics))
      .use(
        idempotency({
          store: new InMemoryStore(),
          key: (event: { id: string }) => event.id,
          logger: silent,
          onOutcome: counting(metrics),
        }),
      )
    await handler({ id: 'a' }, context())
    await handler({ id: 'a' }, context())
    expect(published).toEqual([['fresh'], ['replay']])
  })

  it('the HTTP middleware does too, for replays and for problem answers', async () => {
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'http' })
    const published = publishedNames(metrics)
    const handler = middy(async () => ({ statusCode: 201, body: '{}' }))
      .use(logMetrics(metrics))
      .use(httpIdempotency({ store: new InMemoryStore(), logger: silent, onOutcome: counting(metrics) }))
    const headers = { 'idempotency-key': 'k-1', 'content-type': 'application/json' }
    await handler(httpApiEvent({ sub: 'u', headers, body: { n: 1 } }), context())
    await handler(httpApiEvent({ sub: 'u', headers, body: { n: 1 } }), context())
    await handler(httpApiEvent({ sub: 'u', headers, body: { n: 2 } }), context())
    expect(published).toEqual([['fresh'], ['replay'], ['mismatch']])
  })
})

describe("the sample's observability", () => {
  it('counts outcomes as named metrics and publishes them for every invocation, replays included', async () => {
    const { logger, metrics, onOutcome } = observability('test-service')
    const published = publishedNames(metrics)
    const logged = vi.spyOn(logger, 'info').mockImplementation(() => {})
    const handler = observed(
      middy(async (event: { id: string }) => event.id).use(
        idempotency({
          store: new InMemoryStore(),
          key: (event: { id: string }) => event.id,
          logger,
          onOutcome,
        }),
      ),
      { logger, metrics },
    )
    await handler({ id: 'secret-key' }, context())
    await handler({ id: 'secret-key' }, context())
    expect(published).toEqual([['Executions'], ['Replays']])
    expect(logged).toHaveBeenCalledTimes(2)
    expect(JSON.stringify(logged.mock.calls)).not.toContain('secret-key')
  })
})
