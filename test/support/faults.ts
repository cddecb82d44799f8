import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb'
import { inject } from 'vitest'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'

/**
 * Faults DynamoDB Local cannot produce, as the SDK would see them from real DynamoDB. The first two are thrown
 * before the request leaves (nothing written); the last two AFTER DynamoDB applied the write, so the client
 * sees an error for a write that landed: the nasty case for any protocol built on conditional writes.
 */
export const FAULT_KINDS = ['throttle', 'network', 'timeout-after-write', 'server-error-after-write'] as const
export type FaultKind = 'none' | (typeof FAULT_KINDS)[number]

export const landsBeforeFailing = (kind: FaultKind): boolean => kind.endsWith('after-write')

/** Errors shaped like the SDK's own, so its retry classification (throttling, transient) applies to them. */
export function faultError(kind: Exclude<FaultKind, 'none'>): Error {
  switch (kind) {
    case 'throttle':
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
        $metadata: { httpStatusCode: 400 },
      })
    case 'network':
      return Object.assign(new Error('read ECONNRESET (injected)'), { code: 'ECONNRESET', $metadata: {} })
    case 'timeout-after-write':
      // What @smithy/node-http-handler throws when requestTimeout passes while the answer is still on its way.
      return Object.assign(new Error('Request timed out after the write was applied (injected)'), {
        name: 'TimeoutError',
        $metadata: {},
      })
    case 'server-error-after-write':
      return new InternalServerError({
        message: 'Internal server error after the write was applied (injected)',
        $metadata: { httpStatusCode: 500 },
      })
  }
}

/** One SDK attempt (the retry middleware makes several per `send`) and what became of it. */
export interface Attempt {
  /** `PutItemCommand`, `UpdateItemCommand`, ... */
  readonly command: string
  readonly fault: FaultKind
  /**
   * `applied`: the store accepted the write; `refused`: it answered an error (a failed condition) or wrote
   * nothing; `not-sent`; `read`: a read, which changes nothing; `pending`: written inside a transaction that has
   * not committed (PostgreSQL), so nothing is applied yet.
   */
  readonly outcome: 'applied' | 'refused' | 'not-sent' | 'read' | 'pending'
}

export interface FaultHooks {
  /** The fault for the next attempt of `command`; 'none' sends it untouched. */
  next(command: string): FaultKind
  /** Awaited before each attempt is sent and again once DynamoDB has answered it, before the client sees it. */
  pause?(label: string): Promise<void>
  observe?(attempt: Attempt): void
}

/**
 * Adds the faults to a real client, inside the SDK's retry loop: each attempt may fail, and the SDK retries
 * throttling and transient errors as it would against DynamoDB. Pair with `instantRetries` to keep runs fast.
 */
export function injectFaults(client: DynamoDBClient, hooks: FaultHooks): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName)
      const fault = hooks.next(command)
      await hooks.pause?.(`send ${command}`)
      if (fault !== 'none' && !landsBeforeFailing(fault)) {
        hooks.observe?.({ command, fault, outcome: 'not-sent' })
        throw faultError(fault)
      }
      let answer: Awaited<ReturnType<typeof next>>
      try {
        answer = await next(args)
      } catch (error) {
        hooks.observe?.({ command, fault, outcome: 'refused' })
        await hooks.pause?.(`refused ${command}`)
        throw error
      }
      hooks.observe?.({ command, fault, outcome: 'applied' })
      await hooks.pause?.(`applied ${command}`)
      if (fault !== 'none') throw faultError(fault)
      return answer
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectedFaults' },
  )
}

type RetryStrategy = Exclude<DynamoDBClientConfig['retryStrategy'], undefined>

/**
 * The SDK's retry decisions (its own classification of each error) without its backoff delays or retry quota,
 * so a run with many faults stays fast and does not depend on the faults of earlier runs.
 */
export function instantRetries(maxAttempts: number): RetryStrategy {
  const token = (retryCount: number) => ({
    getRetryCount: () => retryCount,
    getRetryDelay: () => 0,
    getRetryCost: () => 0,
  })
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const retryCount = previous.getRetryCount() + 1
      if (info.errorType === 'CLIENT_ERROR' || retryCount >= maxAttempts) throw info.error
      return token(retryCount)
    },
    recordSuccess: () => undefined,
  }
}

/**
 * Faults by command, in order: `{ TransactWriteItemsCommand: ['timeout-after-write'] }` fails the first attempt
 * of that command after it landed and sends every later one untouched. `sent` counts every attempt made.
 */
export function faultPlan(plan: Partial<Record<string, FaultKind[]>>): FaultHooks & {
  readonly sent: Map<string, number>
} {
  const queues = new Map(Object.entries(plan).map(([command, faults]) => [command, [...(faults ?? [])]]))
  const sent = new Map<string, number>()
  return {
    sent,
    next(command) {
      sent.set(command, (sent.get(command) ?? 0) + 1)
      return queues.get(command)?.shift() ?? 'none'
    },
  }
}

/**
 * A client of the DynamoDB Local the tests share, meeting the planned faults (see `faultPlan`), each attempt
 * retried by the SDK up to `maxAttempts` in all. `faults.sent` counts the attempts.
 */
export function faultyClient(plan: Partial<Record<string, FaultKind[]>>, maxAttempts = 1) {
  const faults = faultPlan(plan)
  return { client: clientWithFaults(faults, maxAttempts), faults }
}

/** A client of the shared DynamoDB Local whose attempts meet `hooks`' faults (see `injectFaults`). */
export function clientWithFaults(hooks: FaultHooks, maxAttempts = 1): DynamoDBClient {
  const client = new DynamoDBClient({
    ...localDynamoDBClientConfig(inject('dynamodbEndpoint')),
    retryStrategy: instantRetries(maxAttempts),
  })
  injectFaults(client, hooks)
  return client
}
