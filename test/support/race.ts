import type { Context } from 'aws-lambda'
import { expect } from 'vitest'
import { IdempotencyInProgressError } from '../../lib/index.js'
import { lambdaContext } from './records.js'

type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>

/**
 * Sends `concurrency` invocations of one event at once, then one retry after they settle. Every one must get
 * the winner's answer (`expected`) or, while it runs, IdempotencyInProgressError; the retry gets the answer.
 * The caller counts the executions: one, however the race went.
 */
export async function raceForOneKey<TEvent, TResult>(
  handler: Handler<TEvent, TResult>,
  event: TEvent,
  expected: TResult,
  concurrency: number,
): Promise<void> {
  const context = () => lambdaContext() as unknown as Context
  const settled = await Promise.allSettled(
    Array.from({ length: concurrency }, () => handler(event, context())),
  )
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled') expect(outcome.value).toEqual(expected)
    else expect(outcome.reason).toBeInstanceOf(IdempotencyInProgressError)
  }
  expect(await handler(event, context())).toEqual(expected)
}
