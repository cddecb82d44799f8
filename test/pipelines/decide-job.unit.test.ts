import { describe, expect, it } from 'vitest'
import { decideJob, type JobDecision, type JobState } from '../../lib/pipelines/index.js'

const NOW_MS = 1_000_000
const completed = { inputVersion: 'v1', summary: '{"rows":4}', token: 'done', completedAtEpochMs: 1 }
const live = { inputVersion: 'v1', token: 'other', leaseUntilEpochMs: NOW_MS + 5_000 }
const lapsed = { ...live, leaseUntilEpochMs: NOW_MS }
const state = (over: Partial<JobState>): JobState => ({ key: 'pipeline-run#totals#2024-01-15', ...over })

const cases: [
  string,
  JobState | undefined,
  { inputVersion?: string; force?: boolean; token?: string },
  JobDecision,
][] = [
  ['a partition never run', undefined, {}, { kind: 'run', reason: 'first' }],
  ['the same input version completed', state({ completed }), {}, { kind: 'replay', completed }],
  [
    'the same input version completed, forced',
    state({ completed }),
    { force: true },
    { kind: 'run', reason: 'forced' },
  ],
  ['a new input version', state({ completed }), { inputVersion: 'v2' }, { kind: 'run', reason: 'new-input' }],
  ['another run holding a live lease', state({ claim: live }), {}, { kind: 'conflict', retryAfterMs: 5_000 }],
  [
    'a live lease, forced',
    state({ completed, claim: live }),
    { force: true },
    { kind: 'conflict', retryAfterMs: 5_000 },
  ],
  [
    'a live lease, a new input version',
    state({ claim: live }),
    { inputVersion: 'v2' },
    { kind: 'conflict', retryAfterMs: 5_000 },
  ],
  [
    'its own claim (a retried write that landed)',
    state({ claim: live }),
    { token: 'other' },
    { kind: 'run', reason: 'owned' },
  ],
  ['a crashed first run', state({ claim: lapsed }), {}, { kind: 'run', reason: 'takeover' }],
  [
    'a crashed forced run over a completed one, not forced',
    state({ completed, claim: lapsed }),
    {},
    { kind: 'replay', completed },
  ],
  [
    'a crashed forced run over a completed one, forced',
    state({ completed, claim: lapsed }),
    { force: true },
    { kind: 'run', reason: 'takeover' },
  ],
]

describe('decideJob: what a run of one partition does, given what is stored', () => {
  it.each(cases)('given %s', (_name, existing, request, expected) => {
    const decision = decideJob(
      existing,
      { inputVersion: 'v1', force: false, token: 'mine', ...request },
      NOW_MS,
    )
    expect(decision).toEqual(expected)
  })
})
