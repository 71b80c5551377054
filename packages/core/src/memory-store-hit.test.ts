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

  describe('hitNow', () => {
    it('decides synchronously on the same log as hit', async () => {
      const store = createMemoryStore({ max: 10, now })
      const hitNow = store.hitNow as NonNullable<typeof store.hitNow>
      const first = hitNow('k', { limit: 2, windowMs: 1000 })
      expect(first).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 })
      expect((await store.hit?.('k', { limit: 2, windowMs: 1000 }))?.allowed).toBe(true)
      vi.advanceTimersByTime(250)
      expect(hitNow('k', { limit: 2, windowMs: 1000 })).toEqual({ allowed: false, remaining: 0, retryAfterMs: 750 })
    })

    it('throws, rather than rejects, on a bad key or bad options', () => {
      const store = createMemoryStore({ max: 10, now })
      const hitNow = store.hitNow as NonNullable<typeof store.hitNow>
      expect(() => hitNow('', { limit: 1, windowMs: 1000 })).toThrow(TypeError)
      expect(() => hitNow('k', { limit: 0, windowMs: 1000 })).toThrow(TypeError)
      expect(() => hitNow('k', { limit: 1, windowMs: Number.NaN })).toThrow(TypeError)
    })
  })

  describe('hit', () => {
    it('admits exactly limit hits in the window and reports remaining when called in a burst', async () => {
      const store = createMemoryStore({ max: 10, now })
      const results = []
      for (let i = 0; i < 5; i++) results.push(await store.hit?.('k', { limit: 3, windowMs: 1000 }))
      expect(results.map((r) => r?.allowed)).toEqual([true, true, true, false, false])
      expect(results.map((r) => r?.remaining)).toEqual([2, 1, 0, 0, 0])
      expect(results[3]?.retryAfterMs).toBe(1000)
    })

    it('slides the window: a slot frees exactly when the oldest hit leaves it', async () => {
      const store = createMemoryStore({ max: 10, now })
      const hit = () => store.hit?.('k', { limit: 2, windowMs: 1000 })
      expect((await hit())?.allowed).toBe(true)
      vi.advanceTimersByTime(400)
      expect((await hit())?.allowed).toBe(true)
      vi.advanceTimersByTime(599)
      const refused = await hit()
      expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1 })
      vi.advanceTimersByTime(1)
      expect((await hit())?.allowed).toBe(true)
      expect((await hit())?.retryAfterMs).toBe(400)
    })

    it('keeps the log alive past its creation window while it holds recent hits', async () => {
      const store = createMemoryStore({ max: 10, now })
      const hit = () => store.hit?.('k', { limit: 2, windowMs: 1000 })
      expect((await hit())?.allowed).toBe(true)
      vi.advanceTimersByTime(900)
      expect((await hit())?.allowed).toBe(true)
      vi.advanceTimersByTime(100)
      expect((await hit())?.allowed).toBe(true)
      vi.advanceTimersByTime(1)
      expect(await hit()).toEqual({ allowed: false, remaining: 0, retryAfterMs: 899 })
      vi.advanceTimersByTime(1900)
      expect((await hit())?.remaining).toBe(1)
    })

    it('does not record refused hits, so hammering does not extend the lockout', async () => {
      const store = createMemoryStore({ max: 10, now })
      await store.hit?.('k', { limit: 1, windowMs: 100 })
      for (let i = 0; i < 50; i++) {
        vi.advanceTimersByTime(1)
        expect((await store.hit?.('k', { limit: 1, windowMs: 100 }))?.allowed).toBe(false)
      }
      vi.advanceTimersByTime(50)
      expect((await store.hit?.('k', { limit: 1, windowMs: 100 }))?.allowed).toBe(true)
    })

    it('keeps keys independent and never admits more than the limit in any window when hits are concurrent', async () => {
      const store = createMemoryStore({ max: 100, now })
      const decisions = await Promise.all(
        Array.from({ length: 300 }, (_, i) => store.hit?.(`k${i % 3}`, { limit: 40, windowMs: 60_000 })),
      )
      const allowedPerKey = [0, 1, 2].map((k) => decisions.filter((d, i) => i % 3 === k && d?.allowed).length)
      expect(allowedPerKey).toEqual([40, 40, 40])
    })

    it('grows its log up to a large limit and expires it after the window', async () => {
      const store = createMemoryStore({ max: 10, now })
      for (let i = 0; i < 5000; i++)
        expect((await store.hit?.('big', { limit: 5000, windowMs: 10 }))?.allowed).toBe(true)
      expect((await store.hit?.('big', { limit: 5000, windowMs: 10 }))?.allowed).toBe(false)
      expect(((await store.get('big')) as number[]).length).toBe(5000)
      vi.advanceTimersByTime(11)
      expect(await store.get('big')).toBeUndefined()
      expect((await store.hit?.('big', { limit: 5000, windowMs: 10 }))?.remaining).toBe(4999)
    })

    it('adapts when the same key is used with a smaller limit', async () => {
      const store = createMemoryStore({ max: 10, now })
      for (let i = 0; i < 5; i++) await store.hit?.('k', { limit: 10, windowMs: 1000 })
      expect((await store.hit?.('k', { limit: 2, windowMs: 1000 }))?.allowed).toBe(false)
    })

    it('throws TypeError when limit or windowMs is not a positive integer or the key is empty', async () => {
      const store = createMemoryStore({ max: 10, now })
      await expect(store.hit?.('k', { limit: 0, windowMs: 1 })).rejects.toThrow(TypeError)
      await expect(store.hit?.('k', { limit: 1.5, windowMs: 1 })).rejects.toThrow(/limit/)
      await expect(store.hit?.('k', { limit: 1, windowMs: -1 })).rejects.toThrow(/windowMs/)
      await expect(store.hit?.('k', { limit: 1, windowMs: Number.NaN })).rejects.toThrow(/windowMs/)
      await expect(store.hit?.('k', null as never)).rejects.toThrow(TypeError)
      await expect(store.hit?.('', { limit: 1, windowMs: 1 })).rejects.toThrow(TypeError)
    })

    it('refuses to increment a key that holds a hit log', async () => {
      const store = createMemoryStore({ max: 10, now })
      await store.hit?.('k', { limit: 3, windowMs: 1000 })
      await expect(store.increment('k')).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    })
  })
})
