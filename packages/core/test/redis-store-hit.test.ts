import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { createMemoryStore } from '../src/memory-store.js'
import { createRedisStore } from '../src/redis/index.js'

describe.skipIf(!redisAvailable)('createRedisStore', () => {
  let redis: RedisProcess
  const clients: Redis[] = []
  const client = () => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    c.on('error', () => {})
    clients.push(c)
    return c
  }
  let n = 0
  const prefix = () => `hit${++n}:`

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    await redis.start()
  })
  afterAll(async () => {
    for (const c of clients) c.disconnect()
    await redis.stop()
  })

  describe('hit', () => {
    it('enforces one shared limit exactly across two instances when hits arrive in a concurrent burst', async () => {
      const p = prefix()
      const one = createRedisStore({ client: client(), prefix: p })
      const two = createRedisStore({ client: client(), prefix: p })
      const decisions = await Promise.all(
        Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? one : two).hit?.('k', { limit: 150, windowMs: 60_000 })),
      )
      expect(decisions.filter((d) => d?.allowed).length).toBe(150)
      const refused = decisions.filter((d) => d?.allowed === false)
      expect(refused.length).toBe(250)
      for (const d of refused) {
        expect(d?.retryAfterMs).toBeGreaterThan(0)
        expect(d?.retryAfterMs).toBeLessThanOrEqual(60_000)
      }
      const remaining = decisions.filter((d) => d?.allowed).map((d) => d?.remaining)
      expect([...remaining].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 150 }, (_, i) => i))
    })

    it('frees slots once hits leave the window and expires the key', async () => {
      const p = prefix()
      const c = client()
      const store = createRedisStore({ client: c, prefix: p })
      expect((await store.hit?.('k', { limit: 1, windowMs: 100 }))?.allowed).toBe(true)
      expect((await store.hit?.('k', { limit: 1, windowMs: 100 }))?.allowed).toBe(false)
      expect(await c.pttl(`${p}k`)).toBeGreaterThan(0)
      await sleep(150)
      expect(await c.exists(`${p}k`)).toBe(0)
      expect((await store.hit?.('k', { limit: 1, windowMs: 100 }))?.allowed).toBe(true)
    })

    it('rejects with ERR_STORE_UNAVAILABLE when Redis is down', async () => {
      const store = createRedisStore({ client: client(), prefix: prefix(), commandTimeoutMs: 300 })
      await redis.stop()
      await expect(store.hit?.('k', { limit: 1, windowMs: 1000 })).rejects.toMatchObject({
        code: 'ERR_STORE_UNAVAILABLE',
      })
    })

    it('uses the fallback store when Redis is down and one is configured', async () => {
      const store = createRedisStore({
        client: client(),
        prefix: prefix(),
        commandTimeoutMs: 300,
        whenUnavailable: createMemoryStore({ max: 10 }),
      })
      await redis.stop()
      expect((await store.hit?.('k', { limit: 1, windowMs: 1000 }))?.allowed).toBe(true)
      expect((await store.hit?.('k', { limit: 1, windowMs: 1000 }))?.allowed).toBe(false)
    })

    it('throws TypeError on bad options before contacting Redis', async () => {
      const store = createRedisStore({ client: client(), prefix: prefix() })
      await expect(store.hit?.('k', { limit: -1, windowMs: 10 })).rejects.toThrow(TypeError)
      await expect(store.hit?.('k', { limit: 1, windowMs: 0 })).rejects.toThrow(TypeError)
    })
  })
})
