import { describe, expect, it } from 'vitest'
import { createScopeHierarchy, DEFAULT_SCOPE_HIERARCHY, isScopeToken } from './scope-hierarchy.js'

describe('createScopeHierarchy', () => {
  it('covers exact scopes and prefix wildcards when using the defaults', () => {
    const h = DEFAULT_SCOPE_HIERARCHY
    expect(h.covers('tickets:write', 'tickets:write')).toBe(true)
    expect(h.covers('tickets:*', 'tickets:write')).toBe(true)
    expect(h.covers('tickets:*', 'tickets:comments:read')).toBe(true)
    expect(h.covers('tickets:*', 'tickets')).toBe(false)
    expect(h.covers('tickets:*', 'ticketsx:write')).toBe(false)
    expect(h.covers('tickets:*', 'tickets:')).toBe(false)
    expect(h.covers('*', 'tickets:write')).toBe(false)
    expect(h.covers('tickets:write', 'tickets:*')).toBe(false)
  })

  it('applies implications transitively when configured', () => {
    const h = createScopeHierarchy({
      implies: { 'x:admin': ['x:write'], 'x:write': ['x:read'], 'x:read': ['x:admin'] },
    })
    expect(h.covers('x:admin', 'x:read')).toBe(true)
    expect(h.covers('x:read', 'x:write')).toBe(true)
    expect(h.covers('y:read', 'x:read')).toBe(false)
    expect(h.missing(['x:write'], ['x:read', 'y:read'])).toEqual(['y:read'])
  })

  it('uses a custom separator and turns wildcards off when asked', () => {
    expect(createScopeHierarchy({ separator: '.', wildcard: '**' }).covers('a.**', 'a.b')).toBe(true)
    expect(createScopeHierarchy({ wildcard: false }).covers('a:*', 'a:b')).toBe(false)
  })

  it('reports missing scopes in order when granted is undefined, empty or has non-strings', () => {
    expect(DEFAULT_SCOPE_HIERARCHY.missing(undefined, ['a', 'b'])).toEqual(['a', 'b'])
    expect(DEFAULT_SCOPE_HIERARCHY.missing([], ['a'])).toEqual(['a'])
    expect(DEFAULT_SCOPE_HIERARCHY.missing([1 as unknown as string, 'a'], ['a'])).toEqual([])
  })

  it('throws TypeError when options are bad', () => {
    expect(() => createScopeHierarchy({ separator: '' })).toThrow(TypeError)
    expect(() => createScopeHierarchy({ wildcard: '' })).toThrow(TypeError)
    expect(() => createScopeHierarchy({ implies: { 'a b': ['c'] } })).toThrow(/invalid scope/)
    expect(() => createScopeHierarchy({ implies: { a: 'b' as unknown as string[] } })).toThrow(/implies\.a/)
    expect(() => createScopeHierarchy({ bogus: 1 } as never)).toThrow(/unknown option "bogus"/)
    expect(() => createScopeHierarchy(null as never)).toThrow(TypeError)
  })
})

describe('isScopeToken', () => {
  it('accepts RFC 6749 scope tokens and refuses the rest', () => {
    expect(isScopeToken('tickets:write')).toBe(true)
    expect(isScopeToken('https://api.example/read')).toBe(true)
    for (const bad of ['', 'a b', 'a"b', 'a\\b', 'é', 'a\u0000', 'x'.repeat(257), 7, null]) {
      expect(isScopeToken(bad)).toBe(false)
    }
  })
})
