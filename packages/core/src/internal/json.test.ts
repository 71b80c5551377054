import { describe, expect, it } from 'vitest'
import { canonicalJson, frozenParse } from './json.js'

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    )
  })

  it('gives equal strings for equal values built in a different order', () => {
    expect(canonicalJson({ x: 1, y: [true, null] })).toBe(canonicalJson({ y: [true, null], x: 1 }))
  })

  it('throws TypeError on what JSON cannot represent', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/)
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow(TypeError)
    expect(() => canonicalJson(10n)).toThrow(TypeError)
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError)
  })

  it('refuses values nested deeper than the bound instead of overflowing the stack', () => {
    let deep: unknown = 'leaf'
    for (let i = 0; i < 10_000; i++) deep = [deep]
    expect(() => canonicalJson(deep)).toThrow(/nested deeper than 64/)
  })

  it('accepts a shared, non-cyclic reference twice', () => {
    const shared = { a: 1 }
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]')
  })
})

describe('frozenParse', () => {
  it('returns deep-frozen values', () => {
    const value = frozenParse('{"a":[{"b":1}]}') as { a: { b: number }[] }
    expect(Object.isFrozen(value.a[0])).toBe(true)
  })
})
