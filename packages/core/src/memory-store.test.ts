import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SECURITY_EVENT_CHANNEL } from './events.js'
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

  it('evicts the least recently used entry beyond the bound when whenFull is evict', async () => {
    const store = createMemoryStore({ max: 2, now, whenFull: 'evict' })
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

  it('refuses to create an entry rather than forget a live one when full (the default)', async () => {
    const store = createMemoryStore({ max: 2, now })
    await store.set('a', 1, { ttlMs: 10_000 })
    await store.increment('b', { ttlMs: 10_000 })
    const events: unknown[] = []
    const listener = (event: unknown) => events.push(event)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      await expect(store.set('c', 3)).rejects.toMatchObject({ code: 'ERR_STORE_FULL', status: 503 })
      await expect(store.increment('c')).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
      await expect(store.compareAndSet('c', undefined, 3)).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
      expect(() => store.hitNow?.('c', { limit: 1, windowMs: 1000 })).toThrow(
        expect.objectContaining({ code: 'ERR_STORE_FULL' }),
      )
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    expect(events).toHaveLength(4)
    expect(events[0]).toMatchObject({ type: 'store.full', code: 'ERR_STORE_FULL', detail: { store: 'memory', max: 2 } })
    // Nothing live was forgotten, and existing entries can still be updated.
    expect(await store.get('a')).toBe(1)
    expect(await store.increment('b')).toBe(2)
    await store.set('a', 'replaced', { ttlMs: 10_000 })
    expect(await store.compareAndSet('a', 'replaced', 'again')).toBe(true)
    expect(await store.get('a')).toBe('again')
  })

  it('frees the slots of expired entries before refusing when full', async () => {
    const store = createMemoryStore({ max: 3, now })
    await store.set('short', 1, { ttlMs: 100 })
    await store.set('long', 2, { ttlMs: 10_000 })
    await store.set('also-short', 3, { ttlMs: 100 })
    await expect(store.set('x', 0)).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
    vi.advanceTimersByTime(101)
    await store.set('x', 4, { ttlMs: 1000 })
    await store.increment('y', { ttlMs: 1000 })
    expect(await store.get('long')).toBe(2)
    expect(await store.get('x')).toBe(4)
    expect(await store.get('y')).toBe(1)
    await expect(store.set('z', 0)).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
  })

  it('never forgets a live entry under a flood of new keys, whatever the order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.constantFrom('set', 'increment', 'cas', 'hit'), fc.integer({ min: 0, max: 20 })), {
          maxLength: 60,
        }),
        async (max, operations) => {
          const store = createMemoryStore({ max, now })
          const held = new Set<string>()
          for (const [operation, n] of operations) {
            const key = `k${n}`
            try {
              if (operation === 'set') await store.set(key, n)
              else if (operation === 'increment') await store.increment(`${key}:n`)
              else if (operation === 'cas') await store.compareAndSet(`${key}:c`, undefined, n)
              else store.hitNow?.(`${key}:h`, { limit: 100, windowMs: 60_000 })
              held.add(
                operation === 'set'
                  ? key
                  : `${key}:${operation === 'increment' ? 'n' : operation === 'cas' ? 'c' : 'h'}`,
              )
            } catch (err) {
              expect(err).toMatchObject({ code: 'ERR_STORE_FULL' })
              expect(held.size).toBeGreaterThanOrEqual(max)
            }
          }
          for (const key of held) {
            const value = await store.get(key)
            expect(value, key).not.toBeUndefined()
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('throws TypeError on a bad whenFull', () => {
    expect(() => createMemoryStore({ max: 1, whenFull: 'drop' as never })).toThrow(/whenFull/)
  })
})
