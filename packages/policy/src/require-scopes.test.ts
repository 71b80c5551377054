import { POLICY_ERROR_CODES } from '@mcp-warden/policy'
import { describe, expect, it } from 'vitest'
import { context, denial, listContext, principal, run } from '../test/helpers.js'
import { requireScopes } from './require-scopes.js'
import { createScopeHierarchy } from './scope-hierarchy.js'

describe('requireScopes', () => {
  it('calls next when the principal holds every scope', async () => {
    const { reached } = await run(requireScopes('a', 'b'), context({ principal: principal(['b', 'a', 'c']) }))
    expect(reached).toBe(true)
  })

  it('denies naming exactly the missing scopes when some are missing', async () => {
    const err = await denial(run(requireScopes('a', 'b', 'c'), context({ principal: principal(['b']) })))
    expect(err.code).toBe(POLICY_ERROR_CODES.ERR_POLICY_INSUFFICIENT_SCOPE)
    expect(err.details.missing).toEqual(['a', 'c'])
    expect(err.details.required).toEqual(['a', 'b', 'c'])
    expect(err.message).toBe('Missing scope: a c')
    expect(err.status).toBe(403)
  })

  it('denies with ERR_POLICY_NO_PRINCIPAL and status 401 when there is no principal', async () => {
    const err = await denial(run(requireScopes('a'), context()))
    expect(err.code).toBe('ERR_POLICY_NO_PRINCIPAL')
    expect(err.status).toBe(401)
  })

  it('accepts a wildcard scope through the default hierarchy', async () => {
    const { reached } = await run(requireScopes('tickets:write'), context({ principal: principal(['tickets:*']) }))
    expect(reached).toBe(true)
    await denial(run(requireScopes('users:write'), context({ principal: principal(['tickets:*']) })))
  })

  it('uses a configured hierarchy when built with .with()', async () => {
    const scoped = requireScopes.with({ hierarchy: createScopeHierarchy({ implies: { admin: ['tickets:read'] } }) })
    expect((await run(scoped('tickets:read'), context({ principal: principal(['admin']) }))).reached).toBe(true)
    expect((await run(scoped.any('x', 'tickets:read'), context({ principal: principal(['admin']) }))).reached).toBe(
      true,
    )
    expect(() => requireScopes.with({ hierarchy: {} as never })).toThrow(TypeError)
    expect(() => requireScopes.with({ nope: 1 } as never)).toThrow(/unknown option/)
  })

  it('describes itself with scopes.all for reports and step-up challenges', () => {
    const hierarchy = { separator: ':', wildcard: '*', implies: {} }
    expect(requireScopes('a', 'b', 'a').describe).toEqual({
      name: 'requireScopes',
      requires: ['principal'],
      scopes: { all: ['a', 'b'] },
      hierarchy,
      satisfiedBy: expect.any(Function),
    })
    expect(requireScopes.any('a', 'b').describe).toEqual({
      name: 'requireScopes',
      requires: ['principal'],
      scopes: { any: ['a', 'b'] },
      hierarchy,
      satisfiedBy: expect.any(Function),
    })
    const wildcard = requireScopes('tickets:write').describe?.satisfiedBy
    expect(wildcard?.(['tickets:*'])).toBe(true)
    expect(wildcard?.(['tickets:read'])).toBe(false)
    expect(requireScopes.any('a', 'b').describe?.satisfiedBy?.(['b'])).toBe(true)
    const custom = requireScopes.with({ hierarchy: createScopeHierarchy({ implies: { x: ['y'] } }) })
    expect(custom('y').describe?.hierarchy).toEqual({ separator: ':', wildcard: '*', implies: { x: ['y'] } })
  })

  it('hides the primitive from lists when the caller lacks a scope or is anonymous', async () => {
    const hook = requireScopes('a').visibility
    expect(await hook?.(listContext({ principal: principal(['a']) }))).toBe(true)
    expect(await hook?.(listContext({ principal: principal(['b']) }))).toBe(false)
    expect(await hook?.(listContext())).toBe(false)
    const anyHook = requireScopes.any('a', 'b').visibility
    expect(await anyHook?.(listContext({ principal: principal(['b']) }))).toBe(true)
    expect(await anyHook?.(listContext({ principal: principal([]) }))).toBe(false)
  })

  it('throws TypeError at creation when scopes are missing or malformed', () => {
    expect(() => requireScopes()).toThrow(/at least one scope/)
    expect(() => requireScopes.any()).toThrow(/at least one scope/)
    for (const bad of ['', 'a b', 'caf\u00e9', 'x\u0000', 5, null, 'x'.repeat(300)]) {
      expect(() => requireScopes(bad as string)).toThrow(TypeError)
    }
  })

  it('handles hostile granted scopes when they are huge, unicode or not strings', async () => {
    const granted = [...Array.from({ length: 10_000 }, (_, i) => `s${i}`), '\u202e', 42 as unknown as string]
    const err = await denial(run(requireScopes('a'), context({ principal: principal(granted) })))
    expect(err.details.missing).toEqual(['a'])
  })

  it('decides each of many concurrent calls independently', async () => {
    const guard = requireScopes('a')
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => run(guard, context({ principal: principal(i % 2 === 0 ? ['a'] : []) }))),
    )
    outcomes.forEach((o, i) => {
      expect(o.status).toBe(i % 2 === 0 ? 'fulfilled' : 'rejected')
    })
  })
})

describe('requireScopes.any', () => {
  it('calls next when one scope is held and denies listing the alternatives otherwise', async () => {
    expect((await run(requireScopes.any('a', 'b'), context({ principal: principal(['b']) }))).reached).toBe(true)
    const err = await denial(run(requireScopes.any('a', 'b'), context({ principal: principal(['c']) })))
    expect(err.code).toBe('ERR_POLICY_INSUFFICIENT_SCOPE')
    expect(err.details).toMatchObject({ missing: ['a', 'b'], anyOf: ['a', 'b'] })
    const anonymous = await denial(run(requireScopes.any('a'), context()))
    expect(anonymous.code).toBe('ERR_POLICY_NO_PRINCIPAL')
  })
})

describe('requireScopes.with', () => {
  it('keeps the primitive listed when hideFromLists is false', () => {
    const shown = requireScopes.with({ hideFromLists: false })
    expect(shown('a').visibility).toBeUndefined()
    expect(shown.any('a').visibility).toBeUndefined()
    expect(shown('a').describe).toMatchObject({ name: 'requireScopes', scopes: { all: ['a'] } })
    expect(() => requireScopes.with({ hideFromLists: 'no' as never })).toThrow(TypeError)
  })
})
