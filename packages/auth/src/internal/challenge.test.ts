import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildChallenge, quoteHeaderValue } from './challenge.js'

/** Parses `Bearer k="v", k2="v2"` back into its parameters (quoted-string with quoted-pairs). */
function parseChallenge(value: string): Record<string, string> {
  expect(value.startsWith('Bearer')).toBe(true)
  const params: Record<string, string> = {}
  const re = /([a-z_]+)="((?:[^"\\]|\\.)*)"(?:, |$)/gy
  re.lastIndex = value === 'Bearer' ? value.length : 'Bearer '.length
  while (re.lastIndex < value.length) {
    const match = re.exec(value)
    if (match === null) throw new Error(`unparseable challenge: ${value}`)
    params[match[1] as string] = (match[2] as string).replace(/\\(.)/g, '$1')
  }
  return params
}

describe('buildChallenge', () => {
  it('builds the no-credentials challenge without an error code', () => {
    expect(
      buildChallenge({
        resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
        scope: ['tools:read', 'tools:write'],
      }),
    ).toBe(
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="tools:read tools:write"',
    )
  })

  it('builds insufficient_scope and invalid_token challenges', () => {
    expect(buildChallenge({ error: 'insufficient_scope', scope: ['admin'], resourceMetadata: 'https://x/m' })).toBe(
      'Bearer resource_metadata="https://x/m", scope="admin", error="insufficient_scope"',
    )
    expect(buildChallenge({ error: 'invalid_token', errorDescription: 'Access token expired' })).toBe(
      'Bearer error="invalid_token", error_description="Access token expired"',
    )
    expect(buildChallenge({})).toBe('Bearer')
  })

  it('escapes quotes and backslashes and drops line breaks when values are hostile', () => {
    const value = buildChallenge({ errorDescription: 'a"b\\c\r\nSet-Cookie: x=1\u0000é' })
    expect(value).toBe('Bearer error_description="a\\"b\\\\cSet-Cookie: x=1"')
    expect(parseChallenge(value).error_description).toBe('a"b\\cSet-Cookie: x=1')
  })

  it('caps error_description', () => {
    expect(quoteHeaderValue('x'.repeat(10_000), 256)).toHaveLength(258)
  })

  it('always yields one printable ASCII line that parses back (fuzz)', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 80,
    })
    const anything = fc.string({ unit: 'binary', maxLength: 80 })
    fc.assert(
      fc.property(
        fc.record(
          {
            error: fc.constantFrom('invalid_request', 'invalid_token', 'insufficient_scope'),
            errorDescription: fc.oneof(printable, anything),
            scope: fc.array(fc.stringMatching(/^[\x21\x23-\x5B\x5D-\x7E]{1,20}$/), { maxLength: 5 }),
            resourceMetadata: fc.webUrl(),
          },
          { requiredKeys: [] },
        ),
        (params) => {
          const value = buildChallenge(params)
          expect(value).toMatch(/^[\x20-\x7e]*$/)
          const parsed = parseChallenge(value)
          if (params.error !== undefined) expect(parsed.error).toBe(params.error)
          if (params.resourceMetadata !== undefined) expect(parsed.resource_metadata).toBe(params.resourceMetadata)
          if (params.scope !== undefined && params.scope.length > 0) expect(parsed.scope).toBe(params.scope.join(' '))
          if (params.errorDescription !== undefined && /^[\x20-\x7e]*$/.test(params.errorDescription)) {
            expect(parsed.error_description).toBe(params.errorDescription.slice(0, 256))
          }
        },
      ),
      { numRuns: 2_000 },
    )
  })
})
