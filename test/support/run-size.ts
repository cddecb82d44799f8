import type { RunSummary } from './model-trace.js'

/** `npm run test:long` sets this: the same properties, many more and larger runs. */
export const LONG_RUN = process.env.ADVERSITY_LONG === '1'

export interface RunTotals {
  runs: number
  summary: RunSummary
}

/**
 * CI: 25 runs of up to 8 requests keep `npm test` within seconds on a loaded machine; the long run
 * tries 2,000 larger ones. `FC_RUNS` overrides either.
 */
export function adversityRuns() {
  const numRuns = Number(process.env.FC_RUNS ?? (LONG_RUN ? 2_000 : 25))
  const maxRequests = LONG_RUN ? 14 : 8
  // About a second per run at the long size on a busy 2-core machine, plus room for shrinking a failure.
  const timeoutMs = Math.max(120_000, numRuns * 3_000)
  return { numRuns, maxRequests, timeoutMs }
}

/** A fresh seed per run unless `FC_SEED` (and `FC_PATH`, from a failure report) replays an earlier one. */
export function seedFromEnvironment(): { seed: number; path?: string } {
  const given = process.env.FC_SEED
  const seed =
    given === undefined || given === '' ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : Number(given)
  return { seed, path: process.env.FC_PATH || undefined }
}
