import { describe, expect, inject, it } from 'vitest'
import { measurePostgres } from '../../bench/postgres.js'

// The PostgreSQL part of `npm run bench`: counts are deterministic, so they can gate a change.
describe('the benchmark counting PostgreSQL statements per request', () => {
  it('finds one statement per store call, and the handler’s own write costs BEGIN, its INSERT and COMMIT', async () => {
    const rows = await measurePostgres(inject('databaseUrl'))
    const by = (field: 'storeCalls' | 'statements' | 'commits') =>
      Object.fromEntries(rows.map((row) => [row.path, row[field]]))
    expect(by('storeCalls')).toEqual({
      'fresh success': ['acquire', 'complete'],
      replay: ['acquire'],
      'in-flight duplicate': ['acquire'],
      'handler error': ['acquire', 'release'],
      'payment with its own write': ['acquire', 'complete'],
    })
    expect(by('statements')).toEqual({
      'fresh success': ['INSERT ON CONFLICT', 'UPDATE'],
      replay: ['INSERT ON CONFLICT'],
      'in-flight duplicate': ['INSERT ON CONFLICT'],
      'handler error': ['INSERT ON CONFLICT', 'DELETE'],
      'payment with its own write': ['INSERT ON CONFLICT', 'BEGIN', 'INSERT', 'UPDATE', 'COMMIT'],
    })
    expect(by('commits')).toEqual({
      'fresh success': 2,
      replay: 1,
      'in-flight duplicate': 1,
      'handler error': 2,
      'payment with its own write': 2,
    })
    for (const row of rows) expect(row.walBytes, row.path).toBeGreaterThan(0)
  })
})
