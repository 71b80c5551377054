import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStore } from './memory-store.js'

const now = () => Date.now()

describe('createMemoryStore', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('throws TypeError when the bound is missing, not a positive integer, or an option is unknown', () => {
    expect(() => createMemoryStore(undefined as never)).toThrow(TypeError)
    expect(() => createMemoryStore({} as never)).toThrow(/max/)
    expect(() => createMemoryStore({ max: 0 })).toThrow(TypeError)
    expect(() => createMemoryStore({ max: 1.5 })).toThrow(TypeError)
    expect(() => createMemoryStore({ max: 10, maxTtlMs: -1 })).toThrow(TypeError)
    expect(() => createMemoryStore({ max: 10, ttl: 5 } as never)).toThrow(/unknown option "ttl"/)
    expect(() => createMemoryStore({ max: 10, now: 5 } as never)).toThrow(/now/)
  })

  it('stores and returns deep-frozen copies of JSON values', async () => {
    const store = createMemoryStore({ max: 10, now })
    const value = { user: 'alice', scopes: ['a', 'b'] }
    await store.set('k', value)
    value.scopes.push('c')
    const read = (await store.get('k')) as { scopes: string[] }
    expect(read).toEqual({ user: 'alice', scopes: ['a', 'b'] })
    expect(Object.isFrozen(read)).toBe(true)
    expect(Object.isFrozen(read.scopes)).toBe(true)
  })

  it('expires entries after their ttl', async () => {
    const store = createMemoryStore({ max: 10, now })
    await store.set('k', 1, { ttlMs: 1000 })
    vi.advanceTimersByTime(999)
    expect(await store.get('k')).toBe(1)
    vi.advanceTimersByTime(2)
    expect(await store.get('k')).toBeUndefined()
  })

  it('caps ttls at maxTtlMs', async () => {
    const store = createMemoryStore({ max: 10, maxTtlMs: 100, now })
    await store.set('k', 1, { ttlMs: 10_000 })
    vi.advanceTimersByTime(101)
    expect(await store.get('k')).toBeUndefined()
  })

  it('evicts the least recently used entry beyond the bound', async () => {
    const store = createMemoryStore({ max: 2, now })
    await store.set('a', 1)
    await store.set('b', 2)
    await store.get('a')
    await store.set('c', 3)
    expect(await store.get('a')).toBe(1)
    expect(await store.get('b')).toBeUndefined()
  })

  it('increments atomically under concurrency and keeps a fixed window', async () => {
    const store = createMemoryStore({ max: 10, now })
    const results = await Promise.all(Array.from({ length: 500 }, () => store.increment('n', { ttlMs: 1000 })))
    expect(new Set(results).size).toBe(500)
    expect(Math.max(...results)).toBe(500)
    vi.advanceTimersByTime(600)
    await store.increment('n', { ttlMs: 1000 })
    vi.advanceTimersByTime(401)
    expect(await store.get('n')).toBeUndefined()
  })

  it('refuses to increment a non-integer and a non-integer step', async () => {
    const store = createMemoryStore({ max: 10, now })
    await store.set('s', 'text')
    await expect(store.increment('s')).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    await expect(store.increment('n', { by: 0.5 })).rejects.toThrow(TypeError)
  })

  it('compares and sets by JSON equality, including absent', async () => {
    const store = createMemoryStore({ max: 10, now })
    expect(await store.compareAndSet('k', undefined, { v: 1, w: [1] })).toBe(true)
    expect(await store.compareAndSet('k', undefined, { v: 2 })).toBe(false)
    expect(await store.compareAndSet('k', { w: [1], v: 1 }, { v: 2 })).toBe(true)
    expect(await store.get('k')).toEqual({ v: 2 })
    expect(await store.compareAndSet('k', { v: 1 }, { v: 3 })).toBe(false)
    expect(await store.compareAndSet('k', { v: 2 }, undefined)).toBe(true)
    expect(await store.get('k')).toBeUndefined()
  })

  it('lets exactly one of many concurrent compare-and-sets win', async () => {
    const store = createMemoryStore({ max: 10, now })
    await store.set('nonce', 'fresh')
    const wins = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.compareAndSet('nonce', 'fresh', `used-${i}`)),
    )
    expect(wins.filter(Boolean)).toHaveLength(1)
  })

  it('rejects values JSON cannot hold and bad keys', async () => {
    const store = createMemoryStore({ max: 10, now })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(store.set('k', cyclic as never)).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    await expect(store.set('k', Number.NaN)).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    await expect(store.set('k', (() => 1) as never)).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    await expect(store.set('', 1)).rejects.toThrow(TypeError)
    await expect(store.get(42 as never)).rejects.toThrow(TypeError)
    await expect(store.set('k', 1, { ttlMs: 0 })).rejects.toThrow(TypeError)
  })

  it('deletes keys and reports whether they existed', async () => {
    const store = createMemoryStore({ max: 10, now })
    await store.set('k', 'v')
    expect(await store.delete('k')).toBe(true)
    expect(await store.delete('k')).toBe(false)
  })

  it('handles unicode keys and large values', async () => {
    const store = createMemoryStore({ max: 10, now })
    const big = 'ä'.repeat(1_000_000)
    await store.set('🔑:שלום', big)
    expect(await store.get('🔑:שלום')).toBe(big)
  })
})
