import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SAMPLE_PROBLEM_CODES } from '../../functions/shared/problems.js'
import { LOCAL_PROBLEM_CODES } from '../../scripts/local-api/problems.js'

describe('functions/problems.md', () => {
  it('documents every problem type the sample and its local API answer with, one heading each', () => {
    const docs = readFileSync(new URL('../../functions/problems.md', import.meta.url), 'utf8')
    // GitHub derives the anchor of a heading `## route-not-found` from its text: #route-not-found.
    const anchors = [...docs.matchAll(/^#{2,3} ([a-z-]+)\s*$/gm)].map((match) => match[1])
    const codes = [...SAMPLE_PROBLEM_CODES, ...LOCAL_PROBLEM_CODES]
    expect(codes.filter((code) => !anchors.includes(code))).toEqual([])
    expect(new Set(codes).size).toBe(codes.length)
  })
})
