import { describe, expect, it } from 'vitest'
import { type Decision, decide, type IdempotencyRecord } from '../../lib/store/index.js'
import { completed, inProgress, NOW_MS, NOW_SECONDS } from '../support/records.js'

const request = { fingerprint: 'fp-1', token: 'token-B' }

describe('decide', () => {
  it.each<[string, IdempotencyRecord | undefined, Decision['kind'], string?]>([
    ['runs a key nobody has used', undefined, 'execute', 'absent'],
    ['replays a completed record with the same payload', completed(), 'replay'],
    [
      'treats a completed record past its retention as absent, although TTL has not deleted it',
      completed({ expiresAtEpochSeconds: NOW_SECONDS }),
      'execute',
      'expired',
    ],
    ['rejects a completed record with a different payload', completed({ fingerprint: 'fp-2' }), 'mismatch'],
    ['answers conflict while another attempt holds a live lease', inProgress(), 'conflict'],
    [
      'takes over a lease that has ended',
      inProgress({ leaseUntilEpochMs: NOW_MS }),
      'execute',
      'lease-expired',
    ],
    [
      'never takes over an ended lease for a different payload',
      inProgress({ leaseUntilEpochMs: NOW_MS - 1, fingerprint: 'fp-2' }),
      'mismatch',
    ],
    [
      'rejects a live lease held for a different payload as a mismatch',
      inProgress({ fingerprint: 'fp-2' }),
      'mismatch',
    ],
    [
      'recognises its own lease, seen again after an SDK retry of a write that landed',
      inProgress({ token: 'token-B' }),
      'execute',
      'owned',
    ],
    [
      'treats an in-progress record past its retention as absent',
      inProgress({ expiresAtEpochSeconds: NOW_SECONDS - 1 }),
      'execute',
      'expired',
    ],
  ])('%s', (_name, existing, kind, reason) => {
    const decision = decide(existing, request, NOW_MS)
    expect(decision.kind).toBe(kind)
    if (reason !== undefined) expect(decision).toEqual({ kind: 'execute', reason })
  })

  it('tells a conflicting caller how long the live lease still runs', () => {
    expect(decide(inProgress({ leaseUntilEpochMs: NOW_MS + 4_500 }), request, NOW_MS)).toEqual({
      kind: 'conflict',
      retryAfterMs: 4_500,
    })
  })

  it('hands the completed record to a replay', () => {
    const record = completed()
    expect(decide(record, request, NOW_MS)).toEqual({ kind: 'replay', record })
  })

  it('counts a record expiring in this very second as expired, as the store condition does', () => {
    const record = completed({ expiresAtEpochSeconds: NOW_SECONDS + 1 })
    expect(decide(record, request, NOW_MS).kind).toBe('replay')
    expect(decide(record, request, NOW_MS + 1_000).kind).toBe('execute')
  })
})
