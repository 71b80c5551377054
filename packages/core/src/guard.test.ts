import { describe, expect, it } from 'vitest'
import { createGuard, isGuard, toMiddlewareList } from './guard.js'
import type { GuardContext, PrimitiveResult } from './types.js'

const pass = async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next()

describe('createGuard', () => {
  it('returns a new guard from use() and leaves the original unchanged', () => {
    const empty = createGuard()
    const one = empty.use(pass)
    expect(empty.middlewares).toHaveLength(0)
    expect(one.middlewares).toEqual([pass])
    expect(Object.isFrozen(one)).toBe(true)
  })

  it('concatenates guards in order', () => {
    const a = async (_c: GuardContext, next: () => Promise<PrimitiveResult>) => next()
    const combined = createGuard().use(pass).concat(createGuard().use(a))
    expect(combined.middlewares).toEqual([pass, a])
  })

  it('throws TypeError when a middleware is not a function', () => {
    expect(() => createGuard().use('x' as never)).toThrow(TypeError)
    expect(() => createGuard().use(undefined as never)).toThrow(TypeError)
    expect(() => createGuard().concat({} as never)).toThrow(TypeError)
  })
})

describe('isGuard', () => {
  it('recognizes guards and nothing else', () => {
    expect(isGuard(createGuard())).toBe(true)
    expect(isGuard({ middlewares: [] })).toBe(false)
    expect(isGuard(null)).toBe(false)
  })
})

describe('toMiddlewareList', () => {
  it('flattens guards and names the bad entry', () => {
    expect(toMiddlewareList([createGuard().use(pass), pass], 'here')).toEqual([pass, pass])
    expect(() => toMiddlewareList([pass, 7], 'here')).toThrow('here: entry 1 is number')
  })
})
