import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  DurableExecutionConflictError,
  DurableExecutionUnavailableError,
  IdempotencyOwnWritesInStepError,
  MethodNotAllowedError,
  OperationNotFoundError,
} from '../../lib/durable/index.js'
import { ERROR_STATUS, type IdempotencyErrorCode } from '../../lib/errors.js'
import { idempotencyProblem } from '../../lib/http/problem.js'
import * as root from '../../lib/index.js'

/** One of every error class the package exports, root and subpaths alike. */
const everyError: root.IdempotencyError[] = [
  new root.IdempotencyKeyMissingError(),
  new root.IdempotencyKeyInvalidError('too long'),
  new root.IdempotencyPrincipalMissingError(),
  new root.IdempotencyPrincipalUnresolvedError('no subject'),
  new root.IdempotencyInProgressError(1_000),
  new root.IdempotencyPayloadMismatchError(),
  new root.IdempotencyStoreUnavailableError('acquire', new Error('down')),
  new root.IdempotencyStoreMisconfiguredError('table-missing', 'no table'),
  new root.IdempotencyLeaseLostError('complete'),
  new root.IdempotencyResultNotStoredError('too large'),
  new root.IdempotencyHandlerTimeoutError(1_000),
  new root.IdempotencyCompletionRejectedError(true, new Error('invalid')),
  new IdempotencyOwnWritesInStepError(),
  new DurableExecutionUnavailableError('start', new Error('throttled')),
  new OperationNotFoundError(),
  new DurableExecutionConflictError(),
  new MethodNotAllowedError(['POST']),
]

describe('the closed set of error codes', () => {
  it('gives every exported error a code of the set, and the status that code maps to', () => {
    for (const error of everyError) {
      expect(Object.keys(ERROR_STATUS)).toContain(error.code)
      expect(error.statusCode).toBe(ERROR_STATUS[error.code])
    }
  })

  it('has an error class for every code, a problem title, and a section in docs/problems.md', async () => {
    const problems = await readFile(new URL('../../docs/problems.md', import.meta.url), 'utf8')
    for (const code of Object.keys(ERROR_STATUS) as IdempotencyErrorCode[]) {
      const error = everyError.find((candidate) => candidate.code === code)
      expect(error, code).toBeDefined()
      expect(idempotencyProblem(error as root.IdempotencyError).title, code).not.toBe('')
      expect(problems, code).toContain(`\n## ${code}\n`)
    }
  })
})

describe('isIdempotencyError with a code', () => {
  it('recognizes an error of that code, and no other code or lookalike', () => {
    const inProgress = new root.IdempotencyInProgressError(2_000)
    expect(root.isIdempotencyError(inProgress, 'in-progress')).toBe(true)
    expect(root.isIdempotencyError(inProgress, 'payload-mismatch')).toBe(false)
    const lookalike = Object.assign(new Error('x'), { code: 'in-progress', statusCode: 409 })
    expect(root.isIdempotencyError(lookalike, 'in-progress')).toBe(false)
  })
})
