import { WardenError } from '@mcp-warden/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseBearer } from './bearer.js'

const MAX = 16_384

function codeOf(run: () => unknown): string | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    if (!WardenError.isInstance(error)) throw error
    return error.code
  }
}

describe('parseBearer', () => {
  it('returns the token when the header is a well-formed Bearer credential', () => {
    expect(parseBearer('Bearer abc.DEF-ghi_jkl~mno+pq/r==', MAX)).toBe('abc.DEF-ghi_jkl~mno+pq/r==')
    expect(parseBearer('bearer token', MAX)).toBe('token')
    expect(parseBearer('BEARER   token', MAX)).toBe('token')
    expect(parseBearer(['Bearer token'], MAX)).toBe('token')
    expect(parseBearer('  Bearer token  ', MAX)).toBe('token')
  })

  it('returns undefined when there are no bearer credentials', () => {
    for (const header of [undefined, '', '   ', [], 'Basic dXNlcjpwYXNz', 'Bearerx token', 'DPoP token']) {
      expect(parseBearer(header as never, MAX)).toBeUndefined()
    }
  })

  it.each([
    ['a scheme without token', 'Bearer'],
    ['a scheme followed by spaces only', 'Bearer    x y'],
    ['two tokens', 'Bearer a b'],
    ['a comma-joined list', 'Bearer a, Bearer b'],
    ['a quote', 'Bearer a"b'],
    ['padding in the middle', 'Bearer a=b'],
    ['a tab', 'Bearer a\tb'],
    ['a line break', 'Bearer a\r\nX-Injected: 1'],
    ['unicode', 'Bearer tökén'],
    ['a right-to-left override', 'Bearer abc\u202Edef'],
    ['several headers', ['Bearer a', 'Bearer b']],
  ])('throws ERR_AUTH_MALFORMED_REQUEST when given %s', (_label, header) => {
    expect(codeOf(() => parseBearer(header as never, MAX))).toBe('ERR_AUTH_MALFORMED_REQUEST')
  })

  it('throws ERR_AUTH_TOKEN_MALFORMED when the header is oversized, before scanning it', () => {
    expect(codeOf(() => parseBearer(`Bearer ${'a'.repeat(MAX + 100)}`, MAX))).toBe('ERR_AUTH_TOKEN_MALFORMED')
    expect(codeOf(() => parseBearer(`Bearer ${'a'.repeat(MAX)}`, MAX))).toBeUndefined()
  })

  it('only returns b64tokens and only throws WardenError, for any input (fuzz)', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({ unit: 'binary', maxLength: 100 }).map((s) => `Bearer ${s}`),
      fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,50}=*$/).map((s) => `Bearer ${s}`),
      fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
    )
    fc.assert(
      fc.property(header, (value) => {
        try {
          const token = parseBearer(value, MAX)
          if (token !== undefined) {
            expect(token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/)
            expect(String(value)).toContain(token)
          }
        } catch (error) {
          expect(WardenError.isInstance(error)).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('finishes in linear time on adversarial long headers', () => {
    const started = performance.now()
    for (const header of [`Bearer ${'='.repeat(MAX)}a`, `Bearer ${'a'.repeat(MAX)}!`, `${' '.repeat(MAX)}Bearer`]) {
      codeOf(() => parseBearer(header, MAX))
    }
    // Generous bound: a backtracking parser takes seconds here, a linear one well under a millisecond.
    expect(performance.now() - started).toBeLessThan(500)
  })
})
