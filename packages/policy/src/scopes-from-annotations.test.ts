import { describe, expect, it } from 'vitest'
import { context, denial, listContext, principal, run } from '../test/helpers.js'
import { scopesFromAnnotations } from './scopes-from-annotations.js'

const split = scopesFromAnnotations({ read: 'x:read', write: 'x:write', destructive: 'x:admin' })
const tool = (annotations?: Record<string, boolean>) => ({ metadata: annotations === undefined ? {} : { annotations } })

describe('scopesFromAnnotations', () => {
  it('requires the read scope when the tool is read-only', async () => {
    const ctx = context({ ...tool({ readOnlyHint: true }), principal: principal(['x:read']) })
    expect((await run(split, ctx)).reached).toBe(true)
  })

  it('requires write and destructive scopes when annotations are absent (MCP defaults)', async () => {
    const err = await denial(run(split, context({ ...tool(), principal: principal(['x:read']) })))
    expect(err.code).toBe('ERR_POLICY_INSUFFICIENT_SCOPE')
    expect(err.details.missing).toEqual(['x:write', 'x:admin'])
  })

  it('does not require the destructive scope when destructiveHint is false', async () => {
    const ctx = context({ ...tool({ destructiveHint: false }), principal: principal(['x:write']) })
    expect((await run(split, ctx)).reached).toBe(true)
  })

  it('adds openWorld and nonIdempotent scopes when configured', async () => {
    const guard = scopesFromAnnotations({ read: 'r', write: 'w', openWorld: 'net', nonIdempotent: 'once' })
    const err = await denial(run(guard, context({ ...tool({ destructiveHint: false }), principal: principal(['w']) })))
    expect(err.details.missing).toEqual(['once', 'net'])
    const closed = context({ ...tool({ readOnlyHint: true, openWorldHint: false }), principal: principal(['r']) })
    expect((await run(guard, closed)).reached).toBe(true)
    const idempotent = context({
      ...tool({ idempotentHint: true, destructiveHint: false, openWorldHint: false }),
      principal: principal(['w']),
    })
    expect((await run(guard, idempotent)).reached).toBe(true)
  })

  it('treats resources and prompts as reads', async () => {
    expect((await run(split, context({ kind: 'resource', principal: principal(['x:read']) }))).reached).toBe(true)
    await denial(run(split, context({ kind: 'prompt', principal: principal([]) })))
  })

  it('uses the author mapping when map is given', async () => {
    const guard = scopesFromAnnotations({
      read: 'r',
      write: 'w',
      map: (annotations, kind, defaults) => (annotations?.title === 'public' ? [] : defaults(annotations, kind)),
    })
    const open = context({ metadata: { annotations: { title: 'public' } } })
    expect((await run(guard, open)).reached).toBe(true)
    await denial(run(guard, context({ ...tool({ readOnlyHint: true }) })))
  })

  it('fails closed when a custom map returns a non-scope', async () => {
    const guard = scopesFromAnnotations({ read: 'r', write: 'w', map: () => ['bad scope'] })
    await expect(run(guard, context({ principal: principal(['w']) }))).rejects.toThrow(TypeError)
  })

  it('denies with ERR_POLICY_NO_PRINCIPAL when nobody is authenticated', async () => {
    const err = await denial(run(split, context(tool({ readOnlyHint: true }))))
    expect(err.code).toBe('ERR_POLICY_NO_PRINCIPAL')
  })

  it('ignores annotation values that are not booleans true/false exactly', async () => {
    const sneaky = context({
      metadata: { annotations: { readOnlyHint: 'true' as unknown as boolean } },
      principal: principal(['x:read']),
    })
    const err = await denial(run(split, sneaky))
    expect(err.details.missing).toEqual(['x:write', 'x:admin'])
  })

  it('filters lists by the derived scopes', async () => {
    const hook = split.visibility
    const readTool = { metadata: { annotations: { readOnlyHint: true } } }
    expect(await hook?.(listContext({ ...readTool, principal: principal(['x:read']) }))).toBe(true)
    expect(await hook?.(listContext({ principal: principal(['x:read']) }))).toBe(false)
    expect(await hook?.(listContext(readTool))).toBe(false)
  })

  it('keeps primitives listed when hideFromLists is false', () => {
    expect(scopesFromAnnotations({ read: 'r', write: 'w', hideFromLists: false }).visibility).toBeUndefined()
    expect(() => scopesFromAnnotations({ read: 'r', write: 'w', hideFromLists: 1 as never })).toThrow(TypeError)
  })

  it('throws TypeError at creation when options are bad', () => {
    expect(() => scopesFromAnnotations(undefined as never)).toThrow(TypeError)
    expect(() => scopesFromAnnotations({ read: 'r' } as never)).toThrow(/write/)
    expect(() => scopesFromAnnotations({ read: [], write: 'w' })).toThrow(/read/)
    expect(() => scopesFromAnnotations({ read: 'r', write: 'w', destructive: ['a b'] })).toThrow(/destructive/)
    expect(() => scopesFromAnnotations({ read: 'r', write: 'w', map: 'x' as never })).toThrow(/map/)
    expect(() => scopesFromAnnotations({ read: 'r', write: 'w', extra: 1 } as never)).toThrow(/unknown option/)
  })
})
