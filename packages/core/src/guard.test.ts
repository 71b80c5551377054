import { describe, expect, it } from 'vitest'
import {
  checkChainOrder,
  createGuard,
  isGuard,
  markMiddlewareFactory,
  middlewareFactoryName,
  toMiddlewareList,
} from './guard.js'
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

const factory = (limit: number) => {
  const limited = async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => (limit > 0 ? next() : next())
  return limited
}

function provider() {
  return Object.assign(async (_c: GuardContext, next: (add: object) => Promise<PrimitiveResult>) => next({}), {
    describe: { name: 'provider', provides: ['principal'] as const },
  })
}

function consumer(name = 'consumer') {
  return Object.assign(async (_c: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
    describe: { name, requires: ['principal'] as const },
  })
}

describe('markMiddlewareFactory', () => {
  it('makes every middleware list refuse the factory passed uncalled, naming the call to write', () => {
    const limit = markMiddlewareFactory(factory, 'limit')
    expect(limit).toBe(factory)
    expect(middlewareFactoryName(limit)).toBe('limit')
    expect(() => toMiddlewareList([pass, limit], 'secure() use')).toThrow(
      new TypeError('secure() use: entry 1 is the factory limit itself, not a middleware; did you mean limit()?'),
    )
    expect(() => createGuard().use(limit as never)).toThrow(/did you mean limit\(\)\?/)
    expect(() => createGuard().use(limit(1))).not.toThrow()
  })

  it('uses the given usage in the message when the middleware is a property of the result', () => {
    const make = markMiddlewareFactory(() => ({ middleware: pass }), 'createLog', 'createLog(options).middleware')
    expect(() => toMiddlewareList([make], 'here')).toThrow(/did you mean createLog\(options\)\.middleware\?/)
  })

  it('recognizes a mark set by another copy of the package (registry symbol)', () => {
    const foreign = () => pass
    Object.defineProperty(foreign, Symbol.for('mcp-warden.middleware-factory'), {
      value: { name: 'foreign', usage: 'foreign()' },
    })
    expect(middlewareFactoryName(foreign)).toBe('foreign')
    expect(() => toMiddlewareList([foreign], 'here')).toThrow(TypeError)
  })

  it('keeps the first mark and leaves unmarked functions alone', () => {
    const f = () => pass
    markMiddlewareFactory(f, 'first')
    markMiddlewareFactory(f, 'second')
    expect(middlewareFactoryName(f)).toBe('first')
    expect(middlewareFactoryName(pass)).toBeUndefined()
    expect(middlewareFactoryName('first')).toBeUndefined()
  })

  it('throws TypeError when the arguments are wrong', () => {
    expect(() => markMiddlewareFactory('x' as never, 'x')).toThrow(TypeError)
    expect(() => markMiddlewareFactory(() => pass, '')).toThrow(TypeError)
    expect(() => markMiddlewareFactory(() => pass, 'x', '')).toThrow(TypeError)
  })
})

describe('checkChainOrder', () => {
  it('refuses a middleware that requires the principal before the one that provides it', () => {
    expect(() => checkChainOrder([pass, consumer('requireScopes'), provider()], 'tool "t"')).toThrow(
      new TypeError(
        'tool "t": requireScopes (position 1) requires the principal but runs before provider (position 2), ' +
          'which provides it; place provider first',
      ),
    )
  })

  it('accepts the provider first, a consumer with no provider in the chain, and undeclared middlewares', () => {
    expect(() => checkChainOrder([provider(), consumer(), consumer()], 'x')).not.toThrow()
    expect(() => checkChainOrder([consumer(), pass], 'x')).not.toThrow()
    expect(() => checkChainOrder([pass, provider(), pass], 'x')).not.toThrow()
    expect(() => checkChainOrder([], 'x')).not.toThrow()
  })

  it('checks the provider that comes first when there are several', () => {
    expect(() => checkChainOrder([provider(), consumer(), provider()], 'x')).not.toThrow()
    expect(() => checkChainOrder([consumer(), provider(), provider()], 'x')).toThrow(TypeError)
  })

  it('is applied by toMiddlewareList, createGuard().use() and concat() over the whole chain', () => {
    expect(() => toMiddlewareList([consumer(), provider()], 'here')).toThrow(/consumer \(position 0\)/)
    expect(() => toMiddlewareList([createGuard().use(consumer()), provider()], 'here')).toThrow(TypeError)
    expect(() => createGuard().use(consumer()).use(provider())).toThrow(TypeError)
    expect(() => createGuard().use(consumer()).concat(createGuard().use(provider()))).toThrow(TypeError)
    expect(createGuard().use(provider()).use(consumer()).middlewares).toHaveLength(2)
  })
})
