import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'

/** 10 s: the timeout the CDK stack gives the payment functions, so leases and `Prefer: wait` behave as deployed. */
export const LOCAL_FUNCTION_TIMEOUT_MS = 10_000

/** A fresh Lambda-like context per invocation, its deadline counted from now on the real clock. */
export function lambdaContext(functionName: string, timeoutMs = LOCAL_FUNCTION_TIMEOUT_MS): Context {
  const deadlineEpochMs = Date.now() + timeoutMs
  const awsRequestId = randomUUID()
  const unsupported = () => {
    throw new Error('Callback-style completion is not supported by the local API; return a result instead')
  }
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadlineEpochMs - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  }
}
