import {
  type Execution,
  GetDurableExecutionCommand,
  type GetDurableExecutionResponse,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
} from '@aws-sdk/client-lambda'
import { canonicalJson } from '../fingerprint.js'
import { DurableExecutionConflictError, DurableExecutionUnavailableError } from './errors.js'
import type { DurableExecutions, ExecutionStart, ExecutionState } from './executions.js'
import { checkExecutionName } from './names.js'

export interface LambdaDurableExecutionsOptions {
  /**
   * The durable function, with the version or alias executions run on (`payouts:live`, or its ARN): Lambda
   * pins every replay of an execution to the version it started on.
   */
  readonly functionName: string
  /** @default a LambdaClient for the Lambda's region */
  readonly client?: LambdaClient
}

/**
 * The executions of one durable function on Lambda. `start` invokes it asynchronously (`InvocationType: Event`)
 * with `DurableExecutionName`, so Lambda starts one execution per name: a retry with the same name and input
 * finds the execution, running or closed; another input is `DurableExecutionAlreadyStartedException`, thrown as
 * `DurableExecutionConflictError`. `get` finds the name with ListDurableExecutionsByFunction, then reads the
 * execution with GetDurableExecution. Needs `lambda:InvokeFunction` on the alias or version,
 * `lambda:ListDurableExecutionsByFunction` on the function and that alias or version, and
 * `lambda:GetDurableExecution` on its executions.
 */
export class LambdaDurableExecutions implements DurableExecutions {
  private readonly client: LambdaClient
  private readonly functionName: string

  constructor(options: LambdaDurableExecutionsOptions) {
    if (!options.functionName) throw new Error('LambdaDurableExecutions needs the durable function’s name')
    this.functionName = options.functionName
    this.client = options.client ?? new LambdaClient({})
  }

  async start(name: string, input: unknown): Promise<ExecutionStart> {
    checkExecutionName(name)
    try {
      await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          DurableExecutionName: name,
          // Lambda compares the payload of a repeated name byte for byte: canonical JSON is the same every time.
          Payload: new TextEncoder().encode(canonicalJson(input)),
        }),
      )
    } catch (error) {
      if ((error as Error | undefined)?.name === 'DurableExecutionAlreadyStartedException')
        throw new DurableExecutionConflictError({ cause: error })
      throw new DurableExecutionUnavailableError('start', error)
    }
    return { name, status: 'started' }
  }

  async get(name: string): Promise<ExecutionState | undefined> {
    checkExecutionName(name)
    try {
      const found = await this.find(name)
      if (found?.DurableExecutionArn === undefined) return undefined
      const execution = await this.client.send(
        new GetDurableExecutionCommand({ DurableExecutionArn: found.DurableExecutionArn }),
      )
      return stateOf(name, execution)
    } catch (error) {
      throw new DurableExecutionUnavailableError('get', error)
    }
  }

  /**
   * The execution under exactly this name (the list filter is the service's; the match is checked here). The
   * API reference says a list without `Qualifier` covers every version; other SDKs' references say `$LATEST`
   * only. So a name the unqualified list does not show is looked for again under the alias or version this
   * function starts executions on, before it counts as unknown.
   */
  private async find(name: string): Promise<Execution | undefined> {
    const found = await this.list(name, undefined)
    if (found !== undefined) return found
    const qualifier = qualifierOf(this.functionName)
    return qualifier === undefined ? undefined : this.list(name, qualifier)
  }

  private async list(name: string, qualifier: string | undefined): Promise<Execution | undefined> {
    let marker: string | undefined
    do {
      const page = await this.client.send(
        new ListDurableExecutionsByFunctionCommand({
          FunctionName: unqualified(this.functionName),
          ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
          DurableExecutionName: name,
          Marker: marker,
        }),
      )
      const match = page.DurableExecutions?.find((execution) => execution.DurableExecutionName === name)
      if (match !== undefined) return match
      marker = page.NextMarker
    } while (marker !== undefined)
    return undefined
  }
}

function stateOf(name: string, execution: GetDurableExecutionResponse): ExecutionState {
  const input = parseJson(execution.InputPayload)
  switch (execution.Status) {
    case 'RUNNING':
      return { name, status: 'running', input }
    case 'SUCCEEDED':
      return { name, status: 'succeeded', input, result: parseJson(execution.Result) }
    default: {
      // FAILED, TIMED_OUT and STOPPED: the work did not finish.
      const type = execution.Error?.ErrorType ?? execution.Status
      return { name, status: 'failed', input, error: { type, message: execution.Error?.ErrorMessage } }
    }
  }
}

const parseJson = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text))

/**
 * Executions are listed per function: `payouts:live`, `123456789012:function:payouts:7` and
 * `arn:aws:lambda:…:function:payouts:live` all list `payouts`' executions.
 */
export function unqualified(functionName: string): string {
  const parts = functionName.split(':')
  if (functionName.startsWith('arn:')) return parts.length > 7 ? parts.slice(0, 7).join(':') : functionName
  if (parts[1] === 'function') return parts.length > 3 ? parts.slice(0, 3).join(':') : functionName
  return parts[0] ?? functionName
}

/** The alias or version in a qualified function name or ARN (`live` in `payouts:live`), if it has one. */
export function qualifierOf(functionName: string): string | undefined {
  const name = unqualified(functionName)
  return name === functionName ? undefined : functionName.slice(name.length + 1)
}
