import {
  DurableExecutionAlreadyStartedException,
  GetDurableExecutionCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  DurableExecutionConflictError,
  DurableExecutionUnavailableError,
  LambdaDurableExecutions,
} from '../../lib/durable/index.js'
import { unqualified } from '../../lib/durable/lambda-executions.js'

// The Lambda API cannot run here: its answers are the documented shapes (API reference, Invoke and
// GetDurableExecution), mocked at the client.
const lambda = mockClient(LambdaClient)
const FUNCTION = 'payouts:live'
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:payouts:7/durable-execution/name-1/0f1e2d3c'
const executions = () => new LambdaDurableExecutions({ functionName: FUNCTION, client: new LambdaClient({}) })

beforeEach(() => lambda.reset())

describe('LambdaDurableExecutions.start', () => {
  it('invokes the function asynchronously under the name, with the same payload bytes however keys are ordered', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202, DurableExecutionArn: ARN })

    expect(await executions().start('name-1', { b: 2, a: 1 })).toEqual({ name: 'name-1', status: 'started' })
    await executions().start('name-1', { a: 1, b: 2 })

    const [first, second] = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input)
    expect(first).toMatchObject({
      FunctionName: FUNCTION,
      InvocationType: 'Event',
      DurableExecutionName: 'name-1',
    })
    expect(new TextDecoder().decode(first?.Payload as Uint8Array)).toBe('{"a":1,"b":2}')
    expect(second?.Payload).toEqual(first?.Payload)
  })

  it('throws DurableExecutionConflictError when the name was started with another payload', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(new DurableExecutionAlreadyStartedException({ message: 'already started', $metadata: {} }))

    await expect(executions().start('name-1', {})).rejects.toBeInstanceOf(DurableExecutionConflictError)
  })

  it('throws DurableExecutionUnavailableError, a 503 to retry with the same key, for anything else', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))

    const error = await executions()
      .start('name-1', {})
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DurableExecutionUnavailableError)
    expect(error).toMatchObject({ statusCode: 503, code: 'execution-unavailable' })
  })

  it('refuses a name Lambda would refuse, before any call', async () => {
    await expect(executions().start('has spaces', {})).rejects.toThrow(RangeError)
    await expect(executions().start('x'.repeat(65), {})).rejects.toThrow(RangeError)
    expect(lambda.calls()).toHaveLength(0)
  })
})

describe('LambdaDurableExecutions.get', () => {
  const listed = (name: string) => ({
    DurableExecutions: [
      {
        DurableExecutionArn: `${ARN}-other`,
        DurableExecutionName: `${name}-longer`,
        FunctionArn: '',
        Status: 'RUNNING' as const,
        StartTimestamp: new Date(),
      },
      {
        DurableExecutionArn: ARN,
        DurableExecutionName: name,
        FunctionArn: '',
        Status: 'RUNNING' as const,
        StartTimestamp: new Date(),
      },
    ],
  })
  const execution = {
    DurableExecutionArn: ARN,
    DurableExecutionName: 'name-1',
    FunctionArn: '',
    StartTimestamp: new Date(),
  }

  it('finds the execution with exactly that name among the function’s executions, and reads it', async () => {
    lambda.on(ListDurableExecutionsByFunctionCommand).resolves(listed('name-1'))
    lambda.on(GetDurableExecutionCommand).resolves({
      ...execution,
      Status: 'SUCCEEDED',
      InputPayload: '{"idempotencyKey":"name-1","input":{"amount":5}}',
      Result: '{"paid":true}',
    })

    expect(await executions().get('name-1')).toEqual({
      name: 'name-1',
      status: 'succeeded',
      input: { idempotencyKey: 'name-1', input: { amount: 5 } },
      result: { paid: true },
    })
    expect(lambda.commandCalls(ListDurableExecutionsByFunctionCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'payouts',
      DurableExecutionName: 'name-1',
    })
    expect(lambda.commandCalls(GetDurableExecutionCommand)[0]?.args[0].input).toEqual({
      DurableExecutionArn: ARN,
    })
  })

  it.each([
    ['RUNNING', { status: 'running' }],
    ['FAILED', { status: 'failed', error: { type: 'StepError', message: 'declined' } }],
    ['TIMED_OUT', { status: 'failed', error: { type: 'TIMED_OUT' } }],
    ['STOPPED', { status: 'failed', error: { type: 'STOPPED' } }],
  ] as const)('reads a %s execution as %o', async (Status, expected) => {
    lambda.on(ListDurableExecutionsByFunctionCommand).resolves(listed('name-1'))
    const error = Status === 'FAILED' ? { ErrorType: 'StepError', ErrorMessage: 'declined' } : undefined
    lambda.on(GetDurableExecutionCommand).resolves({ ...execution, Status, InputPayload: '{}', Error: error })

    expect(await executions().get('name-1')).toMatchObject(expected)
  })

  it('asks again for the alias or version it starts on when the unqualified list does not show the name', async () => {
    // The API reference says an unqualified list covers every version; other SDKs' references say $LATEST only.
    lambda.on(ListDurableExecutionsByFunctionCommand).resolves({ DurableExecutions: [] })
    lambda.on(ListDurableExecutionsByFunctionCommand, { Qualifier: 'live' }).resolves(listed('name-1'))
    lambda.on(GetDurableExecutionCommand).resolves({ ...execution, Status: 'RUNNING', InputPayload: '{}' })

    const found = await new LambdaDurableExecutions({
      functionName: 'payouts:live',
      client: new LambdaClient({}),
    }).get('name-1')

    expect(found).toMatchObject({ name: 'name-1', status: 'running' })
    expect(
      lambda.commandCalls(ListDurableExecutionsByFunctionCommand).map((call) => call.args[0].input),
    ).toEqual([
      { FunctionName: 'payouts', DurableExecutionName: 'name-1', Marker: undefined },
      { FunctionName: 'payouts', Qualifier: 'live', DurableExecutionName: 'name-1', Marker: undefined },
    ])
  })

  it('answers undefined for a name with no execution, following every page of both lists', async () => {
    lambda
      .on(ListDurableExecutionsByFunctionCommand)
      .resolvesOnce({ DurableExecutions: [], NextMarker: 'page-2' })
      .resolvesOnce({ DurableExecutions: [] })
    lambda
      .on(ListDurableExecutionsByFunctionCommand, { Qualifier: 'live' })
      .resolves({ DurableExecutions: [] })

    expect(await executions().get('name-1')).toBeUndefined()
    const lists = lambda
      .commandCalls(ListDurableExecutionsByFunctionCommand)
      .map((call) => call.args[0].input)
    expect(lists.map(({ Qualifier, Marker }) => [Qualifier, Marker])).toEqual([
      [undefined, undefined],
      [undefined, 'page-2'],
      ['live', undefined],
    ])
    expect(lambda.commandCalls(GetDurableExecutionCommand)).toHaveLength(0)
  })
})

describe('the function an execution list is asked for', () => {
  it.each([
    ['payouts', 'payouts'],
    ['payouts:live', 'payouts'],
    ['123456789012:function:payouts:7', '123456789012:function:payouts'],
    [
      'arn:aws:lambda:eu-west-1:123456789012:function:payouts',
      'arn:aws:lambda:eu-west-1:123456789012:function:payouts',
    ],
    [
      'arn:aws:lambda:eu-west-1:123456789012:function:payouts:live',
      'arn:aws:lambda:eu-west-1:123456789012:function:payouts',
    ],
  ])('is %s → %s', (qualified, expected) => {
    expect(unqualified(qualified)).toBe(expected)
  })
})
